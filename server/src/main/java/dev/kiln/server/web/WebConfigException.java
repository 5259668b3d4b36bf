package dev.kiln.server.web;

/** A {@code --web.config.file} that cannot be used: bad YAML, unknown field, bad hash or TLS material. */
public final class WebConfigException extends RuntimeException {
  public WebConfigException(String message) {
    super(message);
  }

  public WebConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
