package dev.kiln.promql.engine;

import java.util.Map;

/**
 * The PromQL functions that take a range vector, each computing one value from the samples of
 * one series inside one window. Windows are given as primitive arrays plus a half-open index
 * range {@code [from, to)}; stale markers are already removed. A result of {@link Points#ABSENT}
 * means "no output for this step". Kernels follow Prometheus's {@code promql/functions.go}
 * exactly, including its Kahan summation and extrapolation rules. Stateless and thread-safe;
 * {@code scratch} buffers are owned by the caller.
 */
enum RangeFunction {
  RATE("rate", true),
  INCREASE("increase", true),
  DELTA("delta", true),
  IRATE("irate", true),
  IDELTA("idelta", true),
  AVG_OVER_TIME("avg_over_time", true),
  SUM_OVER_TIME("sum_over_time", true),
  COUNT_OVER_TIME("count_over_time", true),
  MIN_OVER_TIME("min_over_time", true),
  MAX_OVER_TIME("max_over_time", true),
  LAST_OVER_TIME("last_over_time", false),
  FIRST_OVER_TIME("first_over_time", false),
  PRESENT_OVER_TIME("present_over_time", true),
  ABSENT_OVER_TIME("absent_over_time", true),
  QUANTILE_OVER_TIME("quantile_over_time", true),
  STDDEV_OVER_TIME("stddev_over_time", true),
  STDVAR_OVER_TIME("stdvar_over_time", true),
  MAD_OVER_TIME("mad_over_time", true),
  TS_OF_MIN_OVER_TIME("ts_of_min_over_time", true),
  TS_OF_MAX_OVER_TIME("ts_of_max_over_time", true),
  TS_OF_FIRST_OVER_TIME("ts_of_first_over_time", true),
  TS_OF_LAST_OVER_TIME("ts_of_last_over_time", true),
  CHANGES("changes", true),
  RESETS("resets", true),
  DERIV("deriv", true),
  PREDICT_LINEAR("predict_linear", true),
  DOUBLE_EXPONENTIAL_SMOOTHING("double_exponential_smoothing", true);

  private static final Map<String, RangeFunction> BY_NAME;

  static {
    java.util.HashMap<String, RangeFunction> m = new java.util.HashMap<>();
    for (RangeFunction f : values()) {
      m.put(f.promqlName, f);
    }
    BY_NAME = Map.copyOf(m);
  }

  final String promqlName;
  /** Whether the output drops {@code __name__} (all but first/last_over_time). */
  final boolean dropsName;

  RangeFunction(String promqlName, boolean dropsName) {
    this.promqlName = promqlName;
    this.dropsName = dropsName;
  }

  /** The function of that name, or {@code null}. */
  static RangeFunction byName(String name) {
    return BY_NAME.get(name);
  }

  /**
   * Computes this function over {@code ts[from..to)}, {@code vs[from..to)}.
   *
   * @param rangeStart exclusive window start (ms), after offset and {@code @}
   * @param rangeEnd inclusive window end (ms)
   * @param evalTime the evaluation step time (ms), used by {@code predict_linear}
   * @param p0 first scalar parameter (quantile, duration, smoothing factor), or NaN
   * @param p1 second scalar parameter (trend factor), or NaN
   * @param scratch a buffer at least {@code to - from} long, contents ignored
   */
  double apply(
      long[] ts, double[] vs, int from, int to, long rangeStart, long rangeEnd, long evalTime,
      double p0, double p1, double[] scratch) {
    int n = to - from;
    if (n <= 0) {
      return Points.ABSENT;
    }
    switch (this) {
      case RATE:
        return extrapolatedRate(ts, vs, from, to, rangeStart, rangeEnd, true, true);
      case INCREASE:
        return extrapolatedRate(ts, vs, from, to, rangeStart, rangeEnd, true, false);
      case DELTA:
        return extrapolatedRate(ts, vs, from, to, rangeStart, rangeEnd, false, false);
      case IRATE:
        return instantValue(ts, vs, from, to, true);
      case IDELTA:
        return instantValue(ts, vs, from, to, false);
      case AVG_OVER_TIME:
        return avg(vs, from, to);
      case SUM_OVER_TIME:
        return sum(vs, from, to);
      case COUNT_OVER_TIME:
        return n;
      case MIN_OVER_TIME:
        return compare(ts, vs, from, to, false, false, false);
      case MAX_OVER_TIME:
        return compare(ts, vs, from, to, true, false, false);
      case TS_OF_MIN_OVER_TIME:
        return compare(ts, vs, from, to, false, true, true);
      case TS_OF_MAX_OVER_TIME:
        return compare(ts, vs, from, to, true, true, true);
      case LAST_OVER_TIME:
        return vs[to - 1];
      case FIRST_OVER_TIME:
        return vs[from];
      case TS_OF_FIRST_OVER_TIME:
        return ts[from] / 1000.0;
      case TS_OF_LAST_OVER_TIME:
        return ts[to - 1] / 1000.0;
      case PRESENT_OVER_TIME:
      case ABSENT_OVER_TIME:
        return 1;
      case QUANTILE_OVER_TIME:
        System.arraycopy(vs, from, scratch, 0, n);
        return Quantiles.quantile(p0, scratch, n);
      case STDDEV_OVER_TIME:
        return Math.sqrt(variance(vs, from, to));
      case STDVAR_OVER_TIME:
        return variance(vs, from, to);
      case MAD_OVER_TIME:
        return mad(vs, from, to, scratch);
      case CHANGES:
        return changes(vs, from, to);
      case RESETS:
        return resets(vs, from, to);
      case DERIV:
        if (n < 2) {
          return Points.ABSENT;
        }
        return LinearRegression.slope(ts, vs, from, to, ts[from]);
      case PREDICT_LINEAR:
        if (n < 2) {
          return Points.ABSENT;
        }
        return LinearRegression.predict(ts, vs, from, to, evalTime, p0);
      case DOUBLE_EXPONENTIAL_SMOOTHING:
        return doubleExponentialSmoothing(vs, from, to, p0, p1);
      default:
        throw new IllegalStateException("unhandled range function " + this);
    }
  }

  static double extrapolatedRate(
      long[] ts, double[] vs, int from, int to, long rangeStart, long rangeEnd, boolean isCounter,
      boolean isRate) {
    return extrapolatedRate(ts, vs, from, to, rangeStart, rangeEnd, isCounter, isRate, true);
  }

  /**
   * Prometheus's extrapolatedRate. {@code mayHaveResets} false promises that no sample in the
   * window is below its predecessor, which lets counters skip the reset scan (same result).
   */
  static double extrapolatedRate(
      long[] ts, double[] vs, int from, int to, long rangeStart, long rangeEnd, boolean isCounter,
      boolean isRate, boolean mayHaveResets) {
    return extrapolated(ts, vs, from, to, rangeStart, rangeEnd, (double) (rangeEnd - rangeStart) / 1000,
        isCounter, isRate, mayHaveResets);
  }

  /**
   * {@link #extrapolatedRate} of a counter ({@code rate} when {@code isRate}, else {@code increase})
   * over a window of {@code rangeSeconds} seconds ({@code (rangeEnd - rangeStart) / 1000}, passed in
   * so that a caller sliding the window computes it once); the same operations in the same order,
   * so the same result bit for bit.
   */
  static double counterRate(
      long[] ts, double[] vs, int from, int to, long rangeStart, long rangeEnd, double rangeSeconds,
      boolean isRate, boolean mayHaveResets) {
    return extrapolated(ts, vs, from, to, rangeStart, rangeEnd, rangeSeconds, true, isRate, mayHaveResets);
  }

  /** Prometheus's extrapolatedRate over a window of {@code rangeSeconds} ({@code (rangeEnd - rangeStart) / 1000}). */
  private static double extrapolated(
      long[] ts, double[] vs, int from, int to, long rangeStart, long rangeEnd, double rangeSeconds,
      boolean isCounter, boolean isRate, boolean mayHaveResets) {
    int n = to - from;
    if (n < 2) {
      return Points.ABSENT;
    }
    long firstT = ts[from];
    long lastT = ts[to - 1];
    double result = vs[to - 1] - vs[from];
    if (isCounter && mayHaveResets) {
      double prev = vs[from];
      for (int i = from + 1; i < to; i++) {
        double cur = vs[i];
        if (cur < prev) {
          result += prev;
        }
        prev = cur;
      }
    }
    double durationToStart = (double) (firstT - rangeStart) / 1000;
    double durationToEnd = (double) (rangeEnd - lastT) / 1000;
    double sampledInterval = (double) (lastT - firstT) / 1000;
    double averageDurationBetweenSamples = sampledInterval / (n - 1);
    double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
    if (durationToStart >= extrapolationThreshold) {
      durationToStart = averageDurationBetweenSamples / 2;
    }
    if (isCounter) {
      double durationToZero = durationToStart;
      if (result > 0 && vs[from] >= 0) {
        durationToZero = sampledInterval * (vs[from] / result);
      }
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    if (durationToEnd >= extrapolationThreshold) {
      durationToEnd = averageDurationBetweenSamples / 2;
    }
    double factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) {
      factor /= rangeSeconds;
    }
    return result * factor;
  }

  static double instantValue(long[] ts, double[] vs, int from, int to, boolean isRate) {
    if (to - from < 2) {
      return Points.ABSENT;
    }
    long t0 = ts[to - 2];
    long t1 = ts[to - 1];
    double v0 = vs[to - 2];
    double v1 = vs[to - 1];
    long sampledInterval = t1 - t0;
    if (sampledInterval == 0) {
      return Points.ABSENT;
    }
    double result = v1;
    if (!isRate || !(v1 < v0)) {
      result = v1 - v0;
    }
    if (isRate) {
      result /= (double) sampledInterval / 1000;
    }
    return result;
  }

  static double sum(double[] vs, int from, int to) {
    double sum = 0;
    double c = 0;
    for (int i = from; i < to; i++) {
      double f = vs[i];
      c = KahanSum.compensation(f, sum, c);
      sum = KahanSum.sum(f, sum);
    }
    if (Double.isInfinite(sum)) {
      return sum;
    }
    return sum + c;
  }

  static double avg(double[] vs, int from, int to) {
    double sum = vs[from];
    double count = 1;
    double mean = 0;
    double kahanC = 0;
    boolean incrementalMean = false;
    for (int i = from + 1; i < to; i++) {
      double f = vs[i];
      count = i - from + 1;
      if (!incrementalMean) {
        double newC = KahanSum.compensation(f, sum, kahanC);
        double newSum = KahanSum.sum(f, sum);
        if (!Double.isInfinite(newSum)) {
          sum = newSum;
          kahanC = newC;
          continue;
        }
        incrementalMean = true;
        mean = sum / (count - 1);
        kahanC /= (count - 1);
      }
      double q = (count - 1) / count;
      double inc = f / count;
      double base = q * mean;
      double baseC = q * kahanC;
      kahanC = KahanSum.compensation(inc, base, baseC);
      mean = KahanSum.sum(inc, base);
    }
    if (incrementalMean) {
      return mean + kahanC;
    }
    return sum / count + kahanC / count;
  }

  private static double compare(
      long[] ts, double[] vs, int from, int to, boolean max, boolean orEqual, boolean timestamp) {
    double best = vs[from];
    long bestT = ts[from];
    for (int i = from; i < to; i++) {
      double cur = vs[i];
      boolean take;
      if (max) {
        take = orEqual ? (cur >= best) : (cur > best);
      } else {
        take = orEqual ? (cur <= best) : (cur < best);
      }
      if (take || Double.isNaN(best)) {
        best = cur;
        bestT = ts[i];
      }
    }
    return timestamp ? bestT / 1000.0 : best;
  }

  static double variance(double[] vs, int from, int to) {
    double count = 0;
    double mean = 0;
    double cMean = 0;
    double aux = 0;
    double cAux = 0;
    for (int i = from; i < to; i++) {
      double f = vs[i];
      count++;
      double delta = f - (mean + cMean);
      double inc = delta / count;
      cMean = KahanSum.compensation(inc, mean, cMean);
      mean = KahanSum.sum(inc, mean);
      double inc2 = delta * (f - (mean + cMean));
      cAux = KahanSum.compensation(inc2, aux, cAux);
      aux = KahanSum.sum(inc2, aux);
    }
    return (aux + cAux) / count;
  }

  private static double mad(double[] vs, int from, int to, double[] scratch) {
    int n = to - from;
    for (int i = from; i < to; i++) {
      if (Double.isNaN(vs[i])) {
        return Double.NaN;
      }
    }
    System.arraycopy(vs, from, scratch, 0, n);
    double median = Quantiles.quantile(0.5, scratch, n);
    for (int i = 0; i < n; i++) {
      scratch[i] = Math.abs(vs[from + i] - median);
    }
    return Quantiles.quantile(0.5, scratch, n);
  }

  private static double changes(double[] vs, int from, int to) {
    int changes = 0;
    double prev = vs[from];
    for (int i = from + 1; i < to; i++) {
      double cur = vs[i];
      if (cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))) {
        changes++;
      }
      prev = cur;
    }
    return changes;
  }

  private static double resets(double[] vs, int from, int to) {
    int resets = 0;
    double prev = vs[from];
    for (int i = from + 1; i < to; i++) {
      double cur = vs[i];
      if (cur < prev) {
        resets++;
      }
      prev = cur;
    }
    return resets;
  }

  private static double doubleExponentialSmoothing(
      double[] vs, int from, int to, double sf, double tf) {
    int l = to - from;
    if (l < 2) {
      return Points.ABSENT;
    }
    double s0 = 0;
    double s1 = vs[from];
    double b = vs[from + 1] - vs[from];
    for (int i = 1; i < l; i++) {
      double x = sf * vs[from + i];
      b = trend(i - 1, tf, s0, s1, b);
      double y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  }

  private static double trend(int i, double tf, double s0, double s1, double b) {
    if (i == 0) {
      return b;
    }
    double x = tf * (s1 - s0);
    double y = (1 - tf) * b;
    return x + y;
  }
}
