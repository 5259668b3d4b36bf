package dev.kiln.promql;

/** The query ran longer than its timeout (Prometheus's "timeout" error, HTTP 503). */
public final class QueryTimeoutException extends PromQLException {
  public QueryTimeoutException(String message) {
    super(message);
  }
}
