package dev.kiln.promql;

/**
 * A query that failed while running for a reason of its own, such as too many samples or
 * duplicate output series (Prometheus's "execution" error, HTTP 422).
 */
public class ExecutionException extends PromQLException {
  public ExecutionException(String message) {
    super(message);
  }
}
