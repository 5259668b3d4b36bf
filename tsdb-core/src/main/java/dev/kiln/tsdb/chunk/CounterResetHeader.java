package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;

/**
 * The two high bits of a histogram chunk's flag byte (byte 2), as Prometheus's {@code
 * tsdb/chunkenc/histogram.go} defines them: what is known about a counter reset between the
 * previous chunk of the series and this one, or that the chunk holds gauge histograms.
 */
public enum CounterResetHeader {
  UNKNOWN(0b0000_0000),
  COUNTER_RESET(0b1000_0000),
  NOT_COUNTER_RESET(0b0100_0000),
  GAUGE(0b1100_0000);

  /** Mask of the header bits in the flag byte. */
  public static final int MASK = 0b1100_0000;

  private final int bits;

  CounterResetHeader(int bits) {
    this.bits = bits;
  }

  /** The header bits (already shifted into place). */
  public int bits() {
    return bits;
  }

  /** The header stored in a flag byte. */
  public static CounterResetHeader fromFlags(int flags) {
    return switch (flags & MASK) {
      case 0b1000_0000 -> COUNTER_RESET;
      case 0b0100_0000 -> NOT_COUNTER_RESET;
      case 0b1100_0000 -> GAUGE;
      default -> UNKNOWN;
    };
  }

  /** Prometheus's {@code CounterResetHintToHeader}. */
  public static CounterResetHeader of(CounterResetHint hint) {
    return switch (hint) {
      case COUNTER_RESET -> COUNTER_RESET;
      case NOT_COUNTER_RESET -> NOT_COUNTER_RESET;
      case GAUGE -> GAUGE;
      default -> UNKNOWN;
    };
  }

  /**
   * The hint a decoded sample carries (Prometheus's {@code counterResetHint}): GAUGE in gauge
   * chunks, NOT_COUNTER_RESET after the first sample, and UNKNOWN for the first one, because the
   * previous chunk may be gone.
   */
  CounterResetHint hintFor(int numRead) {
    if (this == GAUGE) {
      return CounterResetHint.GAUGE;
    }
    return numRead > 1 ? CounterResetHint.NOT_COUNTER_RESET : CounterResetHint.UNKNOWN;
  }
}
