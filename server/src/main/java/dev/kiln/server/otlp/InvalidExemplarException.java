package dev.kiln.server.otlp;

/** An OTLP exemplar that cannot be translated (no value); it ends its metric's translation, as in Prometheus. */
final class InvalidExemplarException extends Exception {
  InvalidExemplarException(String message) {
    super(message);
  }
}
