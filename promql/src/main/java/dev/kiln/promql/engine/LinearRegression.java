package dev.kiln.promql.engine;

/**
 * Least-squares linear regression over a window of samples, as Prometheus's
 * {@code linearRegression} (Kahan-compensated sums, x in seconds relative to an intercept time).
 * Stateless and thread-safe.
 */
final class LinearRegression {
  private LinearRegression() {}

  /** The slope in units per second. */
  static double slope(long[] ts, double[] vs, int from, int to, long interceptTime) {
    return compute(ts, vs, from, to, interceptTime, true, 0);
  }

  /** The value predicted {@code durationSeconds} after {@code interceptTime}. */
  static double predict(
      long[] ts, double[] vs, int from, int to, long interceptTime, double durationSeconds) {
    return compute(ts, vs, from, to, interceptTime, false, durationSeconds);
  }

  private static double compute(
      long[] ts, double[] vs, int from, int to, long interceptTime, boolean slopeOnly,
      double duration) {
    double n = 0;
    double sumX = 0;
    double cX = 0;
    double sumY = 0;
    double cY = 0;
    double sumXY = 0;
    double cXY = 0;
    double sumX2 = 0;
    double cX2 = 0;
    double initY = vs[from];
    boolean constY = true;
    for (int i = from; i < to; i++) {
      double y = vs[i];
      if (constY && i > from && y != initY) {
        constY = false;
      }
      n += 1.0;
      double x = (double) (ts[i] - interceptTime) / 1e3;
      cX = KahanSum.compensation(x, sumX, cX);
      sumX = KahanSum.sum(x, sumX);
      cY = KahanSum.compensation(y, sumY, cY);
      sumY = KahanSum.sum(y, sumY);
      double xy = x * y;
      cXY = KahanSum.compensation(xy, sumXY, cXY);
      sumXY = KahanSum.sum(xy, sumXY);
      double x2 = x * x;
      cX2 = KahanSum.compensation(x2, sumX2, cX2);
      sumX2 = KahanSum.sum(x2, sumX2);
    }
    double slope;
    double intercept;
    if (constY) {
      if (Double.isInfinite(initY)) {
        slope = Double.NaN;
        intercept = Double.NaN;
      } else {
        slope = 0;
        intercept = initY;
      }
    } else {
      sumX += cX;
      sumY += cY;
      sumXY += cXY;
      sumX2 += cX2;
      double covXY = sumXY - sumX * sumY / n;
      double varX = sumX2 - sumX * sumX / n;
      slope = covXY / varX;
      intercept = sumY / n - slope * sumX / n;
    }
    return slopeOnly ? slope : slope * duration + intercept;
  }
}
