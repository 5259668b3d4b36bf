package dev.kiln.tsdb.histogram;

/**
 * A histogram is invalid or two histograms cannot be combined. The message is Prometheus's error
 * text for the same condition.
 */
public final class HistogramException extends RuntimeException {
  private final Kind kind;

  /** The condition, so callers can react without matching message text. */
  public enum Kind {
    INVALID,
    INCOMPATIBLE_SCHEMA,
    INCOMPATIBLE_BOUNDS
  }

  public HistogramException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static HistogramException invalid(String message) {
    return new HistogramException(Kind.INVALID, message);
  }

  static HistogramException incompatibleSchema() {
    return new HistogramException(
        Kind.INCOMPATIBLE_SCHEMA,
        "cannot apply this operation on histograms with a mix of exponential and custom bucket schemas");
  }
}
