package dev.kiln.server.template;

/** A template that cannot be parsed or executed; the message reads like Go's. */
public final class TemplateException extends RuntimeException {
  public TemplateException(String message) {
    super(message);
  }
}
