package dev.kiln.promql;

/** The query was canceled by its caller (Prometheus's "canceled" error, HTTP 503). */
public final class QueryCanceledException extends PromQLException {
  public QueryCanceledException(String message) {
    super(message);
  }
}
