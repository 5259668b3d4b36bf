package dev.kiln.server.otlp;

/** A metric or label name that translation cannot turn into a valid Prometheus name. */
final class InvalidNameException extends Exception {
  InvalidNameException(String message) {
    super(message);
  }
}
