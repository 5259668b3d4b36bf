package dev.kiln.tsdb.model;

/**
 * Counting and writing the decimal digits of non-negative longs as ASCII, two digits per
 * division, for the number formatting of query results (every sample's value and timestamp).
 * Stateless and thread-safe.
 */
public final class DecimalDigits {
  /** 10^0 .. 10^18. */
  private static final long[] POW10 = new long[19];
  /** "00" .. "99": the two ASCII digits of i at 2i and 2i + 1. */
  private static final byte[] PAIRS = new byte[200];

  static {
    long p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
    for (int i = 0; i < 100; i++) {
      PAIRS[2 * i] = (byte) ('0' + i / 10);
      PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  private DecimalDigits() {}

  /** 10^n for 0 <= n <= 18. */
  public static long pow10(int n) {
    return POW10[n];
  }

  /** How many decimal digits {@code v} (>= 0) has; 1 for 0. */
  public static int count(long v) {
    // log10(2) ~ 1233 / 4096: an estimate from the bit length that is exact or one too high.
    int bits = 64 - Long.numberOfLeadingZeros(v | 1);
    int n = (bits * 1233) >>> 12;
    if (n < POW10.length && v >= POW10[n]) {
      n++;
    }
    return n == 0 ? 1 : n;
  }

  /**
   * Writes the last {@code n} decimal digits of {@code v} (>= 0), zero-padded to {@code n}, so
   * that they end right before {@code end}; returns the position of the first.
   */
  public static int write(byte[] buf, int end, long v, int n) {
    int p = end;
    int left = n;
    while (left >= 2) {
      int pair = (int) (v % 100);
      v /= 100;
      buf[--p] = PAIRS[2 * pair + 1];
      buf[--p] = PAIRS[2 * pair];
      left -= 2;
    }
    if (left == 1) {
      buf[--p] = (byte) ('0' + (int) (v % 10));
    }
    return p;
  }
}
