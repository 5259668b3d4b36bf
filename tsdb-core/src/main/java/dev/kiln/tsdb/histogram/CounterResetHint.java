package dev.kiln.tsdb.histogram;

/**
 * What a histogram sample says about counter resets, in Prometheus's encoding order (the ordinal
 * is the 2-bit value of chunk headers and the protobuf enum).
 */
public enum CounterResetHint {
  /** Unknown: whether there was a reset must be detected from the data. */
  UNKNOWN,
  /** A counter reset happened right before this sample. */
  COUNTER_RESET,
  /** No counter reset since the previous sample. */
  NOT_COUNTER_RESET,
  /** A gauge histogram: counter resets do not apply. */
  GAUGE;

  private static final CounterResetHint[] VALUES = values();

  /** The hint with the given Prometheus enum value (0..3). */
  public static CounterResetHint of(int value) {
    return VALUES[value];
  }
}
