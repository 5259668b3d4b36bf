package dev.kiln.promql.engine;

/**
 * The marker for "no point at this step" in the engine's dense per-step value arrays.
 *
 * <p>It is a NaN with a payload no arithmetic produces from ordinary values; values read from
 * storage that happen to carry this exact payload are replaced by the canonical NaN on the way
 * in (see {@link #fromStorage(double)}), so a present point is never mistaken for an absent one.
 * Compare with {@link #isAbsent(double)}, never with {@code ==}.
 */
final class Points {
  static final long ABSENT_BITS = 0x7ff8_dead_beef_0001L;
  static final double ABSENT = Double.longBitsToDouble(ABSENT_BITS);

  private Points() {}

  static boolean isAbsent(double v) {
    return Double.doubleToRawLongBits(v) == ABSENT_BITS;
  }

  static boolean isPresent(double v) {
    return Double.doubleToRawLongBits(v) != ABSENT_BITS;
  }

  /** A storage value made safe for the dense arrays. */
  static double fromStorage(double v) {
    return Double.doubleToRawLongBits(v) == ABSENT_BITS ? Double.NaN : v;
  }

  /** A new array of {@code n} absent points. */
  static double[] absentArray(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, ABSENT);
    return a;
  }
}
