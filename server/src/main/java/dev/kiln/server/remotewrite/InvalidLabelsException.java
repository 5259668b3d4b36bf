package dev.kiln.server.remotewrite;

/**
 * A series whose labels Prometheus 3.x's receiver rejects ({@code !ls.Has(MetricName) ||
 * !ls.IsValid(UTF8Validation)} or duplicate names): the series is skipped, the request goes on.
 */
final class InvalidLabelsException extends InvalidWriteException {
  InvalidLabelsException(String message) {
    super(message);
  }
}
