package dev.kiln.promql.engine;

/**
 * Kahan–Neumaier compensated summation as Prometheus does it ({@code kahansum.Inc}). The running
 * sum and its compensation are kept by the caller in two doubles, so the inner loops allocate
 * nothing. Stateless and thread-safe.
 */
final class KahanSum {
  private KahanSum() {}

  /** The new running sum after adding {@code inc} to {@code sum}. */
  static double sum(double inc, double sum) {
    return sum + inc;
  }

  /**
   * The new compensation after adding {@code inc} to {@code sum} with compensation {@code c}.
   * Call before replacing {@code sum} with {@link #sum(double, double)}.
   */
  static double compensation(double inc, double sum, double c) {
    double t = sum + inc;
    if (Double.isInfinite(t)) {
      return 0;
    }
    if (Math.abs(sum) >= Math.abs(inc)) {
      return c + ((sum - t) + inc);
    }
    return c + ((inc - t) + sum);
  }
}
