package dev.kiln.promql.engine;

/**
 * Prometheus's experimental {@code anchored} and {@code smoothed} range selectors: windows that
 * reach back (and, smoothed, forward) by the lookback delta so the value at the window's edges can
 * be taken from the last sample before it (anchored) or interpolated (smoothed). Kernels follow
 * {@code extendedRate}, {@code pickFirstSampleIndex}, {@code extendFloats} and
 * {@code smoothSeries} of Prometheus. Stateless.
 */
final class ExtendedRange {
  private ExtendedRange() {}

  /** Smallest i in [0, n) with ts[from + i] > t, or n. */
  static int searchAfter(long[] ts, int from, int n, long t) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[from + mid] > t) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Smallest i in [0, n) with ts[from + i] >= t, or n. */
  static int searchAtOrAfter(long[] ts, int from, int n, long t) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[from + mid] >= t) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  static double interpolate(long t1, double y1, long t2, double y2, long t, boolean isCounter) {
    if (isCounter && y2 < y1) {
      y1 = 0;
    }
    return y1 + (y2 - y1) * (double) (t - t1) / (double) (t2 - t1);
  }

  /** rate/increase/delta over an anchored or smoothed window; samples in [from, to). */
  static double rate(
      long[] ts, double[] vs, int from, int to, long rangeStart, long rangeEnd, boolean smoothed,
      boolean isCounter, boolean isRate) {
    int n = to - from;
    if (n == 0) {
      return Points.ABSENT;
    }
    int last = n - 1;
    int first = Math.max(0, searchAfter(ts, from, last, rangeStart) - 1);
    if (smoothed) {
      last = searchAtOrAfter(ts, from, last, rangeEnd);
    }
    if (ts[from + last] <= rangeStart || (smoothed && ts[from + first] >= rangeEnd)) {
      // All samples are before the range, or (smoothed) all after it.
      return Points.ABSENT;
    }
    double left;
    if (smoothed && ts[from + first] < rangeStart) {
      left = interpolate(ts[from + first], vs[from + first], ts[from + first + 1], vs[from + first + 1],
          rangeStart, isCounter);
    } else {
      left = vs[from + first];
    }
    double right;
    if (smoothed && last > 0 && ts[from + last] > rangeEnd) {
      right = interpolate(ts[from + last - 1], vs[from + last - 1], ts[from + last], vs[from + last],
          rangeEnd, isCounter);
    } else {
      right = vs[from + last];
    }
    double result = right - left;
    if (isCounter) {
      if (ts[from + first] <= rangeStart) {
        first++;
      }
      if (ts[from + last] >= rangeEnd) {
        last--;
      }
      double correction = 0;
      double prev = left;
      for (int i = first; i <= last; i++) {
        double f = vs[from + i];
        if (f < prev) {
          correction += prev;
        }
        prev = f;
      }
      if (right < prev) {
        correction += prev;
      }
      result += correction;
    }
    if (isRate) {
      result /= (double) (rangeEnd - rangeStart) / 1000;
    }
    return result;
  }

  /** Index (absolute) of the first sample changes/resets look at, or -1 for no output. */
  static int anchoredFirst(long[] ts, int from, int to, long rangeStart) {
    int n = to - from;
    if (n == 0 || ts[to - 1] <= rangeStart) {
      return -1;
    }
    return from + Math.max(0, searchAfter(ts, from, n - 1, rangeStart) - 1);
  }

  /**
   * Extends the samples [from, to) to the window edges as Prometheus's {@code extendFloats}:
   * returns the number of points written to outT/outV (0 when none).
   */
  static int extend(
      long[] ts, double[] vs, int from, int to, long mint, long maxt, boolean smoothed, long[] outT,
      double[] outV) {
    int n = to - from;
    if (n == 0) {
      return 0;
    }
    int last = n - 1;
    int first = Math.max(0, searchAfter(ts, from, last, mint) - 1);
    if (smoothed) {
      last = searchAtOrAfter(ts, from, last, maxt);
    }
    if (ts[from + last] <= mint) {
      return 0;
    }
    double left = smoothed && ts[from + first] < mint
        ? interpolate(ts[from + first], vs[from + first], ts[from + first + 1], vs[from + first + 1], mint, false)
        : vs[from + first];
    double right = smoothed && last > 0 && ts[from + last] > maxt
        ? interpolate(ts[from + last - 1], vs[from + last - 1], ts[from + last], vs[from + last], maxt, false)
        : vs[from + last];
    if (ts[from + first] <= mint) {
      first++;
    }
    if (ts[from + last] >= maxt) {
      last--;
    }
    int k = 0;
    outT[k] = mint;
    outV[k++] = left;
    for (int i = first; i <= last; i++) {
      outT[k] = ts[from + i];
      outV[k++] = vs[from + i];
    }
    outT[k] = maxt;
    outV[k++] = right;
    return k;
  }

  /**
   * The smoothed value of an instant selector at {@code ref} from the samples in the window
   * (ref - lookback, ref + lookback] given as [lo, hi); {@link Points#ABSENT} when there is none.
   */
  static double smoothedValue(long[] ts, double[] vs, int lo, int hi, long ref) {
    int n = hi - lo;
    if (n == 0) {
      return Points.ABSENT;
    }
    int i = searchAtOrAfter(ts, lo, n, ref);
    if (i < n && ts[lo + i] == ref) {
      return vs[lo + i];
    }
    if (i > 0 && i < n) {
      return interpolate(ts[lo + i - 1], vs[lo + i - 1], ts[lo + i], vs[lo + i], ref, false);
    }
    if (i > 0) {
      return vs[lo + i - 1];
    }
    return Points.ABSENT;
  }
}
