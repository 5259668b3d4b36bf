package dev.kiln.tsdb.histogram;

/**
 * Allocation-free bucket operations on one side of a {@link FloatHistogram} (spans plus absolute
 * counts), for the common case where one operand's buckets are a subset of the other's: the
 * result then has the receiver's layout, so it is computed into the receiver's arrays. Every
 * method gives exactly the counts (same floating-point operations in the same order) that the
 * general {@link IndexedBuckets} path gives; callers use that path whenever a precondition here
 * fails.
 *
 * <p>"Canonical" spans are those {@link IndexedBuckets#spans()} produces: every length positive
 * and every offset after the first positive, with exactly as many counts as the spans cover.
 */
final class InPlaceBuckets {
  private InPlaceBuckets() {}

  static final int CHECK = 0;
  static final int ADD = 1;
  static final int SUB = 2;
  static final int KAHAN = 3;

  /** Whether {@code spans} are canonical for {@code n} counts. */
  static boolean canonical(Span[] spans, int n) {
    int total = 0;
    for (int s = 0; s < spans.length; s++) {
      int len = spans[s].length();
      if (len <= 0 || (s > 0 && spans[s].offset() <= 0)) {
        return false;
      }
      total += len;
    }
    return total == n;
  }

  /** Whether the spans cover exactly {@code n} counts (layout consistent, not necessarily canonical). */
  static boolean covers(Span[] spans, int n) {
    long total = 0;
    for (Span s : spans) {
      if (s.length() < 0) {
        return false;
      }
      total += s.length();
    }
    return total == n;
  }

  /**
   * Number of leading buckets whose upper bound is ≤ {@code threshold} in exponential {@code
   * schema} (the buckets the zero bucket already holds), as {@link IndexedBuckets#plus} skips.
   */
  static int leadingInZeroBucket(Span[] spans, int n, int schema, double threshold) {
    int idx = 0;
    int bi = 0;
    for (int s = 0; s < spans.length; s++) {
      idx += spans[s].offset();
      for (int j = 0; j < spans[s].length() && bi < n; j++, idx++, bi++) {
        if (Schemas.exponentialBound(idx, schema) > threshold) {
          return bi;
        }
      }
    }
    return bi;
  }

  /**
   * Walks the buckets of {@code other} from its {@code start}-th bucket on and applies {@code op}
   * to the receiver's bucket of the same index: CHECK only tests that every such bucket exists in
   * the receiver; ADD/SUB add or subtract its count; KAHAN adds it with Kahan–Neumaier
   * compensation into {@code comp} (laid out as the receiver). Returns false when some bucket of
   * {@code other} is missing from the receiver (for CHECK; the other ops must be preceded by a
   * successful CHECK).
   */
  static boolean apply(int op, Span[] ts, double[] tb, double[] comp, Span[] os, double[] ob, int start) {
    if (tb.length == ob.length && java.util.Arrays.equals(ts, os)) {
      // Same layout (the common case within one series): bucket i matches bucket i.
      for (int i = start; i < ob.length; i++) {
        double v = ob[i];
        switch (op) {
          case ADD -> tb[i] += v;
          case SUB -> tb[i] += -v;
          case KAHAN -> {
            double av = tb[i];
            comp[i] = kahanC(v, av, comp[i]);
            tb[i] = av + v;
          }
          default -> {
            return true;
          }
        }
      }
      return true;
    }
    // Each span of other is a run of consecutive indices; with canonical receiver spans (separated
    // by gaps) a run is present only if one receiver span holds all of it, so runs are applied whole.
    int tSpan = 0;
    long tStart = ts.length > 0 ? ts[0].offset() : 0;
    int tBase = 0;
    long oIdx = 0;
    int oBi = 0;
    for (int s = 0; s < os.length && oBi < ob.length; s++) {
      oIdx += os[s].offset();
      int len = Math.min(os[s].length(), ob.length - oBi);
      int lo = oBi < start ? Math.min(len, start - oBi) : 0;
      if (lo < len) {
        long runStart = oIdx + lo;
        long runEnd = oIdx + len;
        while (tSpan < ts.length && tStart + ts[tSpan].length() <= runStart) {
          tBase += ts[tSpan].length();
          tStart += ts[tSpan].length();
          tSpan++;
          if (tSpan < ts.length) {
            tStart += ts[tSpan].offset();
          }
        }
        if (tSpan >= ts.length || runStart < tStart || runEnd > tStart + ts[tSpan].length()) {
          return false;
        }
        int t0 = tBase + (int) (runStart - tStart);
        int o0 = oBi + lo;
        int n = len - lo;
        if (t0 + n > tb.length) {
          return false;
        }
        switch (op) {
          case ADD -> {
            for (int j = 0; j < n; j++) {
              tb[t0 + j] += ob[o0 + j];
            }
          }
          case SUB -> {
            for (int j = 0; j < n; j++) {
              tb[t0 + j] += -ob[o0 + j];
            }
          }
          case KAHAN -> {
            for (int j = 0; j < n; j++) {
              double v = ob[o0 + j];
              double av = tb[t0 + j];
              comp[t0 + j] = kahanC(v, av, comp[t0 + j]);
              tb[t0 + j] = av + v;
            }
          }
          default -> { }
        }
      }
      oIdx += len;
      oBi += len;
    }
    return true;
  }

  /** The new compensation of Go's kahansum.Inc(inc, sum, c). */
  static double kahanC(double inc, double sum, double c) {
    double t = sum + inc;
    if (Double.isInfinite(t)) {
      return 0;
    }
    if (Math.abs(sum) >= Math.abs(inc)) {
      return c + ((sum - t) + inc);
    }
    return c + ((inc - t) + sum);
  }

  /**
   * Whether {@code curr} (after {@code prev}) shows a counter reset on one side with both in the
   * same exponential schema and zero threshold but possibly different layouts, as the general
   * comparison of the two sides without their buckets inside the zero bucket does: some bucket of
   * {@code prev} decreased in {@code curr}, or is populated and missing there. Precondition: the
   * spans cover their count arrays.
   */
  static boolean decreasedMerged(Span[] cs, double[] cb, Span[] ps, double[] pb, int schema, double zeroThreshold) {
    int cStart = leadingInZeroBucket(cs, cb.length, schema, zeroThreshold);
    int pStart = leadingInZeroBucket(ps, pb.length, schema, zeroThreshold);
    // Cursor over curr: bucket position cBi at index cIdx, in span cSpan at cIn.
    int cSpan = 0;
    int cIn = 0;
    int cBi = 0;
    long cIdx = cs.length > 0 ? cs[0].offset() : 0;
    while (cSpan < cs.length && cIn >= cs[cSpan].length()) {
      cSpan++;
      cIn = 0;
      if (cSpan < cs.length) {
        cIdx += cs[cSpan].offset();
      }
    }
    long pIdx = 0;
    int pBi = 0;
    for (int s = 0; s < ps.length; s++) {
      pIdx += ps[s].offset();
      for (int j = 0; j < ps[s].length() && pBi < pb.length; j++, pIdx++, pBi++) {
        if (pBi < pStart) {
          continue;
        }
        while (cBi < cb.length && (cBi < cStart || cIdx < pIdx)) {
          cBi++;
          cIn++;
          cIdx++;
          while (cSpan < cs.length && cIn >= cs[cSpan].length()) {
            cSpan++;
            cIn = 0;
            if (cSpan < cs.length) {
              cIdx += cs[cSpan].offset();
            }
          }
        }
        if (cBi < cb.length && cIdx == pIdx) {
          if (cb[cBi] < pb[pBi]) {
            return true;
          }
        } else if (pb[pBi] != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether {@code curr} (after {@code prev}) shows a counter reset on one side with both in the
   * same schema and zero threshold and with identical spans: some bucket not inside the zero
   * bucket decreased. Precondition: the spans are equal and cover both count arrays.
   */
  static boolean decreasedSameLayout(Span[] spans, double[] curr, double[] prev, int schema, double zeroThreshold) {
    int start = leadingInZeroBucket(spans, curr.length, schema, zeroThreshold);
    for (int i = start; i < curr.length; i++) {
      if (curr[i] < prev[i]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Compacts one side as {@link IndexedBuckets#compact} followed by {@link IndexedBuckets#spans()}
   * and {@link IndexedBuckets#buckets()} do, allocating only the two result arrays: writes them
   * into {@code out[0]} (a {@code Span[]}) and {@code out[1]} (a {@code double[]}).
   */
  static void compact(Span[] spans, double[] b, int maxEmpty, Object[] out) {
    compact(spans, b, maxEmpty, out, null);
  }

  /** As {@link #compact(Span[], double[], int, Object[])}, taking the result arrays from {@code pool} when not null. */
  static void compact(Span[] spans, double[] b, int maxEmpty, Object[] out, HistogramPool pool) {
    // Pass 1: sizes. Pass 2: fill. Both walk the same (index, count) sequence.
    int nBuckets = 0;
    int nSpans = 0;
    long last = Long.MIN_VALUE;
    int idx = 0;
    int bi = 0;
    for (int s = 0; s < spans.length; s++) {
      idx += spans[s].offset();
      for (int j = 0; j < spans[s].length() && bi < b.length; j++, idx++, bi++) {
        if (b[bi] == 0) {
          continue;
        }
        if (last == Long.MIN_VALUE) {
          nSpans = 1;
        } else {
          long gap = idx - last - 1;
          if (gap > 0 && gap <= maxEmpty) {
            nBuckets += (int) gap;
          } else if (gap != 0) {
            nSpans++;
          }
        }
        nBuckets++;
        last = idx;
      }
    }
    if (nBuckets == 0) {
      out[0] = IndexedBuckets.NO_SPANS;
      out[1] = IndexedBuckets.NO_BUCKETS;
      return;
    }
    Span[] os = pool != null ? pool.spans(nSpans) : new Span[nSpans];
    double[] ob = pool != null ? pool.doubles(nBuckets) : new double[nBuckets];
    int k = 0;
    int sk = 0;
    int spanStart = 0;
    int spanStartIdx = 0;
    int prevEnd = 0;
    last = Long.MIN_VALUE;
    idx = 0;
    bi = 0;
    for (int s = 0; s < spans.length; s++) {
      idx += spans[s].offset();
      for (int j = 0; j < spans[s].length() && bi < b.length; j++, idx++, bi++) {
        if (b[bi] == 0) {
          continue;
        }
        if (last == Long.MIN_VALUE) {
          spanStart = 0;
          spanStartIdx = idx;
        } else {
          long gap = idx - last - 1;
          if (gap > 0 && gap <= maxEmpty) {
            for (long e = 0; e < gap; e++) {
              ob[k++] = 0; // explicit empty buckets
            }
          } else if (gap != 0) {
            int offset = sk == 0 ? spanStartIdx : spanStartIdx - prevEnd - 1;
            os[sk] = span(os[sk], offset, k - spanStart);
            sk++;
            prevEnd = (int) last;
            spanStart = k;
            spanStartIdx = idx;
          }
        }
        ob[k++] = b[bi];
        last = idx;
      }
    }
    int offset = sk == 0 ? spanStartIdx : spanStartIdx - prevEnd - 1;
    os[sk] = span(os[sk], offset, k - spanStart);
    out[0] = os;
    out[1] = ob;
  }

  /** {@code old} when it is that span (a reused array's element), else a shared or new span. */
  private static Span span(Span old, int offset, int length) {
    return old != null && old.offset() == offset && old.length() == length ? old : SharedSpans.of(offset, length);
  }
}
