package dev.kiln.promql.engine;

import dev.kiln.tsdb.model.StaleNaN;

/**
 * Float comparison with a relative tolerance, as Prometheus's {@code util/almost.Equal}: stale
 * markers equal only stale markers, NaN equals NaN, otherwise the relative difference must be
 * below epsilon. Stateless and thread-safe.
 */
public final class FloatCompare {
  private static final double MIN_NORMAL = Double.MIN_NORMAL;

  private FloatCompare() {}

  /** True when a and b are equal within the relative tolerance {@code epsilon}. */
  public static boolean almostEqual(double a, double b, double epsilon) {
    if (StaleNaN.is(a) || StaleNaN.is(b)) {
      return StaleNaN.is(a) && StaleNaN.is(b);
    }
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return true;
    }
    if (a == b) {
      return true;
    }
    double absSum = Math.abs(a) + Math.abs(b);
    double diff = Math.abs(a - b);
    if (a == 0 || b == 0 || absSum < MIN_NORMAL) {
      return diff < epsilon * MIN_NORMAL;
    }
    return diff / Math.min(absSum, Double.MAX_VALUE) < epsilon;
  }
}
