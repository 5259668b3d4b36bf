package dev.kiln.server.push;

/** A push rejected for what it contains (HTTP 400 with this message). */
public final class PushException extends Exception {
  public PushException(String message) {
    super(message);
  }
}
