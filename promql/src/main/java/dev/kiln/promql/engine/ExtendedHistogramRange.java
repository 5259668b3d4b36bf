package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.HistogramException;

/**
 * The {@code anchored} and {@code smoothed} modifiers over native histograms: rate, increase and
 * delta from the histogram at (or interpolated to) each window edge, with counter resets
 * corrected in between, and the smoothed instant selector. Interpolating a counter across a reset
 * models it as restarting from zero. Mixing exponential and custom buckets yields nothing, with
 * Prometheus's warning. One instance per call; single-thread.
 */
final class ExtendedHistogramRange {
  private final Annotations annotations;
  private final int pos;
  /** Set by {@link #interpolate} when it crossed a counter reset. */
  private boolean crossedReset;

  ExtendedHistogramRange(Annotations annotations, int pos) {
    this.annotations = annotations;
    this.pos = pos;
  }

  /** h1 + (h2 - h1) * fraction, or h2 * fraction for a counter that reset in between. */
  FloatHistogram interpolate(long t1, FloatHistogram h1, long t2, FloatHistogram h2, long t, boolean isCounter) {
    double fraction = (double) (t - t1) / (double) (t2 - t1);
    crossedReset = false;
    if (h1.usesCustomBuckets() != h2.usesCustomBuckets()) {
      throw new HistogramException(HistogramException.Kind.INCOMPATIBLE_SCHEMA, "mixed schemas");
    }
    if (isCounter && h2.detectReset(h1)) {
      crossedReset = true;
      return h2.copy().mul(fraction);
    }
    FloatHistogram d = h2.copy();
    d.sub(h1);
    d.mul(fraction);
    FloatHistogram r = h1.copy();
    r.add(d);
    r.counterResetHint = h2.counterResetHint;
    return r.compact(0);
  }

  /** rate/increase/delta over histograms [from, to) of an extended window; null for no result. */
  FloatHistogram rate(
      long[] ts, FloatHistogram[] hs, int from, int to, long rangeStart, long rangeEnd, boolean smoothed,
      boolean isCounter, boolean isRate, String metric) {
    int n = to - from;
    if (n == 0) {
      return null;
    }
    int last = n - 1;
    int first = Math.max(0, ExtendedRange.searchAfter(ts, from, last, rangeStart) - 1);
    if (smoothed) {
      last = ExtendedRange.searchAtOrAfter(ts, from, last, rangeEnd);
    }
    if (ts[from + last] <= rangeStart) {
      return null;
    }
    boolean custom = hs[from + first].usesCustomBuckets();
    boolean gaugeSeen = false;
    boolean nonGaugeSeen = false;
    for (int i = first; i <= last; i++) {
      FloatHistogram h = hs[from + i];
      if (h.usesCustomBuckets() != custom) {
        mixedSchemas(metric);
        return null;
      }
      if (h.counterResetHint == CounterResetHint.GAUGE) {
        gaugeSeen = true;
      } else {
        nonGaugeSeen = true;
      }
    }
    if (isCounter && gaugeSeen) {
      annotations.warn("this native histogram metric is not a counter: \"" + metric + "\"", pos);
    }
    if (!isCounter && nonGaugeSeen) {
      annotations.warn("this native histogram metric is not a gauge: \"" + metric + "\"", pos);
    }
    try {
      FloatHistogram left;
      boolean leftCrossedReset = false;
      if (smoothed && ts[from + first] < rangeStart) {
        left = interpolate(ts[from + first], hs[from + first], ts[from + first + 1], hs[from + first + 1],
            rangeStart, isCounter);
        leftCrossedReset = crossedReset;
      } else {
        left = hs[from + first];
      }
      FloatHistogram right;
      boolean rightDirect = true;
      if (smoothed && last > 0 && ts[from + last] > rangeEnd) {
        right = interpolate(ts[from + last - 1], hs[from + last - 1], ts[from + last], hs[from + last], rangeEnd,
            isCounter);
        rightDirect = false;
      } else {
        right = hs[from + last];
      }
      FloatHistogram result = right.copy();
      result.sub(left);
      if (isCounter) {
        int innerFirst = ts[from + first] <= rangeStart ? first + 1 : first;
        int innerLast = ts[from + last] >= rangeEnd ? last - 1 : last;
        FloatHistogram prev = left;
        for (int i = innerFirst; i <= innerLast; i++) {
          FloatHistogram h = hs[from + i];
          boolean skip = leftCrossedReset && i == innerFirst;
          if (!skip && h.detectReset(prev)) {
            result.add(prev);
          }
          prev = h;
        }
        boolean rightIsPrev = rightDirect && innerLast == last;
        // Both edges interpolated across the same reset: the left edge already restarts at zero.
        boolean sameReset = innerFirst > innerLast && leftCrossedReset && !rightDirect;
        if (!rightIsPrev && !sameReset && right.detectReset(prev)) {
          result.add(prev);
        }
      }
      result.counterResetHint = CounterResetHint.GAUGE;
      if (isRate) {
        result.div((double) (rangeEnd - rangeStart) / 1000);
      }
      return result.compact(0);
    } catch (HistogramException e) {
      mixedSchemas(metric);
      return null;
    }
  }

  /**
   * The smoothed instant value at {@code ref} from histograms [lo, hi) within the lookback on
   * both sides: exact, interpolated between neighbours, or the last one carried forward.
   */
  FloatHistogram smoothedValue(long[] ts, FloatHistogram[] hs, int lo, int hi, long ref, String metric) {
    int n = hi - lo;
    if (n == 0) {
      return null;
    }
    int i = ExtendedRange.searchAtOrAfter(ts, lo, n, ref);
    if (i < n && ts[lo + i] == ref) {
      return hs[lo + i];
    }
    if (i > 0 && i < n) {
      FloatHistogram h1 = hs[lo + i - 1];
      FloatHistogram h2 = hs[lo + i];
      try {
        boolean counter = h1.counterResetHint != CounterResetHint.GAUGE && h2.counterResetHint != CounterResetHint.GAUGE;
        return interpolate(ts[lo + i - 1], h1, ts[lo + i], h2, ref, counter);
      } catch (HistogramException e) {
        mixedSchemas(metric);
        return null;
      }
    }
    if (i > 0) {
      return hs[lo + i - 1];
    }
    return null;
  }

  private void mixedSchemas(String metric) {
    annotations.warn("vector contains a mix of histograms with exponential and custom buckets schemas for metric name \""
        + metric + "\"", pos);
  }
}
