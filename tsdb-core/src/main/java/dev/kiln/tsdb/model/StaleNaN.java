package dev.kiln.tsdb.model;

/**
 * The staleness marker: a specific NaN bit pattern that ends a series. It must be kept
 * bit-exact through every layer; compare with {@link #is(double)}, never with {@code ==}.
 */
public final class StaleNaN {
  /** Raw bits of the staleness marker, as Prometheus defines them. */
  public static final long BITS = 0x7ff0000000000002L;
  /** The staleness marker value. */
  public static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleNaN() {}

  /** True when the value is exactly the staleness marker (not any other NaN). */
  public static boolean is(double v) {
    return Double.doubleToRawLongBits(v) == BITS;
  }
}
