package dev.kiln.server.otlp;

/** An OTLP histogram data point that cannot become a native histogram (a scale below −4). */
final class InvalidHistogramException extends Exception {
  InvalidHistogramException(String message) {
    super(message);
  }
}
