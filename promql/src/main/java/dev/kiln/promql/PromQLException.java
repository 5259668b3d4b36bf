package dev.kiln.promql;

/**
 * Base of the engine's typed errors. The server maps each subtype to a Prometheus error type once,
 * at the HTTP boundary: {@link ParseException} → bad_data (400), {@link QueryTimeoutException} →
 * timeout (503), {@link QueryCanceledException} → canceled (503), {@link ExecutionException} →
 * execution (422).
 */
public abstract class PromQLException extends RuntimeException {
  protected PromQLException(String message) {
    super(message);
  }

  protected PromQLException(String message, Throwable cause) {
    super(message, cause);
  }
}
