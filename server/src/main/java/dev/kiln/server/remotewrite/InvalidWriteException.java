package dev.kiln.server.remotewrite;

/** A remote write request that decodes but breaks the protocol's rules (answered with 400). */
class InvalidWriteException extends Exception {
  InvalidWriteException(String message) {
    super(message);
  }
}
