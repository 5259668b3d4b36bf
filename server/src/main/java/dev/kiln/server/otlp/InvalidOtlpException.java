package dev.kiln.server.otlp;

/** A request the OTLP receiver cannot read: wrong content type or encoding, or a malformed body (400). */
final class InvalidOtlpException extends Exception {
  InvalidOtlpException(String message) {
    super(message);
  }
}
