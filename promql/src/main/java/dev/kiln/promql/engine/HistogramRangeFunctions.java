package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.HistogramException;
import dev.kiln.tsdb.histogram.HistogramPool;

/**
 * Range functions over a window that holds native-histogram samples (possibly mixed with floats),
 * following Prometheus's functions.go: rate/increase/delta/irate/idelta, resets, changes,
 * sum/avg/count/first/last/present over time, and the float-only functions, which ignore
 * histograms with an info annotation. One instance per range-function call, {@link #startSeries}
 * before each series; single-thread.
 */
final class HistogramRangeFunctions {
  private final Annotations annotations;
  private final int pos;
  /** The result of the last {@link #compute}: a histogram, or else {@link #value}. */
  FloatHistogram hist;
  double value;

  /** The histogram array {@link #resetsBefore} was computed for, and over how many samples. */
  private FloatHistogram[] resetsOf;
  private int resetsComputed;
  /**
   * resetsBefore[k]: how many of the sample pairs (i-1, i), 1 ≤ i ≤ k, of {@link #resetsOf} show a
   * counter reset ({@link FloatHistogram#detectReset}); a window without one needs no per-sample
   * corrections, so rate/increase then read only its first and last sample.
   */
  private int[] resetsBefore = new int[0];
  /**
   * When set, rate/increase/delta/irate/idelta results are instances of this pool with its arrays
   * (the caller recycles them once consumed); otherwise they are new.
   */
  HistogramPool pool;
  /**
   * Whether rate/increase/delta results are compacted (Prometheus's {@code Compact(0)}); a
   * consumer that only adds the results up and compacts its sum may leave them as they are,
   * which gives the same sum.
   */
  boolean compactRates = true;

  HistogramRangeFunctions(Annotations annotations, int pos) {
    this.annotations = annotations;
    this.pos = pos;
  }

  /** Forgets the reset counts of the previous series (whose sample array may be the next one's too). */
  void startSeries() {
    resetsOf = null;
    resetsComputed = 0;
  }

  /** Whether no pair of consecutive samples in {@code hs[from, to)} shows a counter reset. */
  private boolean noResets(FloatHistogram[] hs, int from, int to) {
    if (hs != resetsOf) {
      resetsOf = hs;
      resetsComputed = 0;
    }
    if (resetsComputed < to) {
      if (resetsBefore.length < to) {
        resetsBefore = java.util.Arrays.copyOf(resetsBefore, Math.max(to, resetsBefore.length * 2));
      }
      for (int k = resetsComputed; k < to; k++) {
        resetsBefore[k] = k == 0 ? 0 : resetsBefore[k - 1] + (hs[k].detectReset(hs[k - 1]) ? 1 : 0);
      }
      resetsComputed = to;
    }
    return resetsBefore[to - 1] == resetsBefore[from];
  }

  /**
   * Computes {@code fn} over floats {@code [lo, hi)} and histograms {@code [hlo, hhi)} of one
   * window; sets {@link #hist} or {@link #value} ({@link Points#ABSENT} for no result).
   */
  void compute(
      RangeFunction fn, long[] ts, double[] vs, int lo, int hi, long[] hts, FloatHistogram[] hs, int hlo,
      int hhi, long wStart, long wEnd, long t, double p0, double p1, double[] scratch, String metric) {
    hist = null;
    value = Points.ABSENT;
    int nf = hi - lo;
    int nh = hhi - hlo;
    if (nh == 0) {
      value = nf == 0 ? Points.ABSENT : fn.apply(ts, vs, lo, hi, wStart, wEnd, t, p0, p1, scratch);
      return;
    }
    switch (fn) {
      case RATE, INCREASE, DELTA -> {
        if (nf > 0) {
          mixedWarning(metric);
          return;
        }
        if (nh < 2) {
          return;
        }
        boolean counter = fn != RangeFunction.DELTA;
        FloatHistogram h = histogramRate(hs, hlo, hhi, counter, metric);
        if (h == null) {
          return;
        }
        extrapolate(h, hts, hs, hlo, hhi, wStart, wEnd, counter, fn == RangeFunction.RATE);
        hist = h;
      }
      case IRATE, IDELTA -> instantValue(fn == RangeFunction.IRATE, ts, vs, lo, hi, hts, hs, hlo, hhi, metric);
      case RESETS, CHANGES -> value = resetsOrChanges(fn == RangeFunction.RESETS, ts, vs, lo, hi, hts, hs, hlo, hhi);
      case COUNT_OVER_TIME -> value = nf + nh;
      case PRESENT_OVER_TIME, ABSENT_OVER_TIME -> value = 1;
      case LAST_OVER_TIME -> {
        if (nf > 0 && ts[hi - 1] > hts[hhi - 1]) {
          value = vs[hi - 1];
        } else {
          hist = hs[hhi - 1];
        }
      }
      case FIRST_OVER_TIME -> {
        if (nf > 0 && ts[lo] < hts[hlo]) {
          value = vs[lo];
        } else {
          hist = hs[hlo];
        }
      }
      case TS_OF_FIRST_OVER_TIME -> value = Math.min(nf > 0 ? ts[lo] : Long.MAX_VALUE, hts[hlo]) / 1000.0;
      case TS_OF_LAST_OVER_TIME -> value = Math.max(nf > 0 ? ts[hi - 1] : Long.MIN_VALUE, hts[hhi - 1]) / 1000.0;
      case SUM_OVER_TIME, AVG_OVER_TIME -> {
        if (nf > 0) {
          mixedWarning(metric);
          return;
        }
        hist = sumOrAvg(hs, hlo, hhi, fn == RangeFunction.AVG_OVER_TIME, metric);
      }
      case DERIV, PREDICT_LINEAR, DOUBLE_EXPONENTIAL_SMOOTHING -> {
        if (nf < 2) {
          if (nf == 1) {
            ignoredInfo(metric);
          }
          return;
        }
        value = fn.apply(ts, vs, lo, hi, wStart, wEnd, t, p0, p1, scratch);
        ignoredInfo(metric);
      }
      default -> {
        // Float-only functions: histograms are ignored.
        if (nf == 0) {
          return;
        }
        ignoredInfo(metric);
        value = fn.apply(ts, vs, lo, hi, wStart, wEnd, t, p0, p1, scratch);
      }
    }
  }

  private void mixedWarning(String metric) {
    annotations.warn("encountered a mix of histograms and floats for metric name \"" + metric + "\"", pos);
  }

  private void ignoredInfo(String metric) {
    annotations.info(
        "ignored histograms in a range containing both floats and histograms for metric name \"" + metric + "\"",
        pos);
  }

  private void notCounter(String metric) {
    annotations.warn("this native histogram metric is not a counter: \"" + metric + "\"", pos);
  }

  private void notGauge(String metric) {
    annotations.warn("this native histogram metric is not a gauge: \"" + metric + "\"", pos);
  }

  private void mixedSchemas(String metric) {
    annotations.warn("vector contains a mix of histograms with exponential and custom buckets schemas for metric name \""
        + metric + "\"", pos);
  }

  private void reconciled(String operation) {
    annotations.info("mismatched custom buckets were reconciled during " + operation, pos);
  }

  /** Prometheus's histogramRate: last minus first, with counter resets added back. */
  private FloatHistogram histogramRate(FloatHistogram[] hs, int from, int to, boolean isCounter, String metric) {
    FloatHistogram prev = hs[from];
    FloatHistogram last = hs[to - 1];
    boolean usingCustom = prev.usesCustomBuckets();
    if (isCounter && (prev.counterResetHint == CounterResetHint.GAUGE
        || last.counterResetHint == CounterResetHint.GAUGE)) {
      notCounter(metric);
    }
    if (isCounter && to - from > 1 && !noResets(hs, from, from + 2)) {
      FloatHistogram second = hs[from + 1];
      if (second.detectReset(prev)) {
        FloatHistogram empty = new FloatHistogram();
        empty.schema = second.schema;
        empty.customValues = second.customValues;
        prev = empty;
        usingCustom = second.usesCustomBuckets();
      }
    }
    if (last.usesCustomBuckets() != usingCustom) {
      mixedSchemas(metric);
      return null;
    }
    int minSchema = Math.min(last.schema, prev.schema);
    for (int i = from + 1; i < to - 1; i++) {
      FloatHistogram curr = hs[i];
      if (!isCounter) {
        continue;
      }
      if (curr.counterResetHint == CounterResetHint.GAUGE) {
        notCounter(metric);
      }
      minSchema = Math.min(minSchema, curr.schema);
      if (curr.usesCustomBuckets() != usingCustom) {
        mixedSchemas(metric);
        return null;
      }
    }
    FloatHistogram h = pool != null ? last.copyToSchema(minSchema, pool) : last.copyToSchema(minSchema);
    try {
      if ((h.sub(prev) & FloatHistogram.NHCB_BOUNDS_RECONCILED) != 0) {
        reconciled("subtraction");
      }
      if (isCounter) {
        if (!noResets(hs, from, to)) {
          for (int i = from + 1; i < to; i++) {
            FloatHistogram curr = hs[i];
            if (curr.detectReset(prev)) {
              if ((h.add(prev) & FloatHistogram.NHCB_BOUNDS_RECONCILED) != 0) {
                reconciled("addition");
              }
            }
            prev = curr;
          }
        }
      } else if (hs[from].counterResetHint != CounterResetHint.GAUGE
          || hs[to - 1].counterResetHint != CounterResetHint.GAUGE) {
        notGauge(metric);
      }
    } catch (HistogramException e) {
      mixedSchemas(metric);
      return null;
    }
    h.counterResetHint = CounterResetHint.GAUGE;
    return compactRates ? h.compact(0, pool) : h;
  }

  /** The extrapolation of Prometheus's extrapolatedRate, applied to a histogram increase. */
  private static void extrapolate(
      FloatHistogram h, long[] hts, FloatHistogram[] hs, int from, int to, long rangeStart, long rangeEnd,
      boolean isCounter, boolean isRate) {
    int n = to - from;
    long firstT = hts[from];
    long lastT = hts[to - 1];
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
      if (h.count > 0 && hs[from].count >= 0) {
        durationToZero = sampledInterval * (hs[from].count / h.count);
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
      factor /= (double) (rangeEnd - rangeStart) / 1000;
    }
    h.mul(factor);
  }

  /** irate/idelta over the last two samples of the window, floats and histograms together. */
  private void instantValue(
      boolean isRate, long[] ts, double[] vs, int lo, int hi, long[] hts, FloatHistogram[] hs, int hlo, int hhi,
      String metric) {
    if ((hi - lo) + (hhi - hlo) < 2) {
      return;
    }
    // The two newest samples, oldest first: index >= 0 is a float index, < 0 encodes a histogram.
    long t0;
    long t1;
    int f0 = -1;
    int f1 = -1;
    int h0 = -1;
    int h1 = -1;
    int fi = hi - 1;
    int hj = hhi - 1;
    // Newest.
    if (hj >= hlo && (fi < lo || hts[hj] > ts[fi])) {
      h1 = hj--;
      t1 = hts[h1];
    } else {
      f1 = fi--;
      t1 = ts[f1];
    }
    if (hj >= hlo && (fi < lo || hts[hj] > ts[fi])) {
      h0 = hj;
      t0 = hts[h0];
    } else {
      f0 = fi;
      t0 = ts[f0];
    }
    long sampledInterval = t1 - t0;
    if (sampledInterval == 0) {
      return;
    }
    if (f0 >= 0 && f1 >= 0) {
      double result = vs[f1];
      if (!isRate || !(vs[f1] < vs[f0])) {
        result = vs[f1] - vs[f0];
      }
      value = isRate ? result / ((double) sampledInterval / 1000) : result;
      return;
    }
    if (h0 >= 0 && h1 >= 0) {
      FloatHistogram a = hs[h0];
      FloatHistogram b = hs[h1];
      FloatHistogram r = pool != null ? b.copyTo(pool.take(), pool) : b.copy();
      if (isRate && (b.counterResetHint == CounterResetHint.GAUGE || a.counterResetHint == CounterResetHint.GAUGE)) {
        notCounter(metric);
      }
      if (!isRate && (b.counterResetHint != CounterResetHint.GAUGE || a.counterResetHint != CounterResetHint.GAUGE)) {
        notGauge(metric);
      }
      if (!isRate || !b.detectReset(a)) {
        try {
          if ((r.sub(a) & FloatHistogram.NHCB_BOUNDS_RECONCILED) != 0) {
            reconciled("subtraction");
          }
        } catch (HistogramException e) {
          mixedSchemas(metric);
          return;
        }
      }
      r.counterResetHint = CounterResetHint.GAUGE;
      r.compact(0, pool);
      if (isRate) {
        r.div((double) sampledInterval / 1000);
      }
      hist = r;
      return;
    }
    mixedWarning(metric);
  }

  static double resetsOrChanges(
      boolean resets, long[] ts, double[] vs, int lo, int hi, long[] hts, FloatHistogram[] hs, int hlo, int hhi) {
    int count = 0;
    int i = lo;
    int j = hlo;
    boolean first = true;
    double prevF = 0;
    FloatHistogram prevH = null;
    while (i < hi || j < hhi) {
      double curF = 0;
      FloatHistogram curH = null;
      if (j >= hhi || (i < hi && ts[i] < hts[j])) {
        curF = vs[i++];
      } else {
        curH = hs[j++];
      }
      if (!first) {
        if (prevH == null && curH == null) {
          if (resets ? curF < prevF : curF != prevF && !(Double.isNaN(curF) && Double.isNaN(prevF))) {
            count++;
          }
        } else if (prevH == null || curH == null) {
          count++;
        } else if (resets ? curH.detectReset(prevH) : !curH.equals(prevH)) {
          count++;
        }
      }
      first = false;
      prevF = curF;
      prevH = curH;
    }
    return count;
  }

  /** sum_over_time / avg_over_time of histograms. */
  private FloatHistogram sumOrAvg(FloatHistogram[] hs, int from, int to, boolean avg, String metric) {
    boolean resetSeen = false;
    boolean notResetSeen = false;
    HistogramAccumulator acc = new HistogramAccumulator(avg);
    try {
      for (int i = from; i < to; i++) {
        CounterResetHint hint = hs[i].counterResetHint;
        resetSeen |= hint == CounterResetHint.COUNTER_RESET;
        notResetSeen |= hint == CounterResetHint.NOT_COUNTER_RESET;
        acc.add(hs[i]);
      }
    } catch (HistogramException e) {
      mixedSchemas(metric);
      return null;
    }
    if (resetSeen && notResetSeen) {
      annotations.warn("conflicting counter resets during histogram aggregation", pos);
    }
    if ((acc.flags & FloatHistogram.NHCB_BOUNDS_RECONCILED) != 0) {
      reconciled("aggregation");
    }
    return acc.result().compact(0);
  }
}
