package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Schemas;
import dev.kiln.tsdb.histogram.Span;

/**
 * The native-histogram trim operators: {@code h </ x} keeps the observations below x, {@code h
 * >/ x} those above. A bucket cut by x keeps the interpolated share of its count (logarithmic for
 * exponential buckets, linear for custom buckets and the zero bucket). When any bucket changes,
 * count and sum are recomputed from the remaining buckets, each weighted by its (trimmed) middle:
 * geometric for exponential buckets, arithmetic otherwise; the zero bucket spans only the side(s)
 * that have buckets, and the unbounded custom buckets count at their finite bound. Stateless.
 */
final class HistogramTrim {
  private HistogramTrim() {}

  /** One bucket after trimming: its new count and the value its observations count at. */
  private static final class Cut {
    double count;
    double rep;
    boolean changed;
  }

  static FloatHistogram trim(FloatHistogram h, double x, boolean keepBelow) {
    FloatHistogram r = h.copy();
    if (Double.isNaN(x)) {
      return r;
    }
    if ((keepBelow && x == Double.POSITIVE_INFINITY) || (!keepBelow && x == Double.NEGATIVE_INFINITY)) {
      return r;
    }
    boolean all = (keepBelow && x == Double.NEGATIVE_INFINITY) || (!keepBelow && x == Double.POSITIVE_INFINITY);
    Cut cut = new Cut();
    boolean changed = false;
    double count = 0;
    double sum = 0;
    if (r.usesCustomBuckets()) {
      double[] b = r.positiveBuckets;
      int bi = 0;
      int idx = 0;
      for (Span s : r.positiveSpans) {
        idx += s.offset();
        for (int j = 0; j < s.length() && bi < b.length; j++, idx++, bi++) {
          double lo = Schemas.bound(idx - 1, r.schema, r.customValues);
          double hi = Schemas.bound(idx, r.schema, r.customValues);
          if (all) {
            cut.count = 0;
            cut.rep = 0;
            cut.changed = b[bi] != 0;
          } else {
            custom(lo, hi, b[bi], x, keepBelow, cut);
          }
          changed |= cut.changed;
          b[bi] = cut.count;
          count += cut.count;
          sum += cut.count == 0 ? 0 : cut.count * cut.rep;
        }
      }
    } else {
      // Zero bucket: only the side(s) that hold buckets.
      double zl = -r.zeroThreshold;
      double zu = r.zeroThreshold;
      boolean pos = r.positiveBuckets.length > 0;
      boolean neg = r.negativeBuckets.length > 0;
      if (pos && !neg) {
        zl = 0;
      } else if (neg && !pos) {
        zu = 0;
      }
      if (all) {
        cut.count = 0;
        cut.changed = r.zeroCount != 0;
      } else {
        finite(zl, zu, r.zeroCount, x, keepBelow, false, cut);
      }
      changed |= cut.changed;
      r.zeroCount = cut.count;
      count += cut.count;
      sum += cut.count == 0 ? 0 : cut.count * cut.rep;
      for (int side = 0; side < 2; side++) {
        boolean positive = side == 0;
        Span[] spans = positive ? r.positiveSpans : r.negativeSpans;
        double[] b = positive ? r.positiveBuckets : r.negativeBuckets;
        int bi = 0;
        int idx = 0;
        for (Span s : spans) {
          idx += s.offset();
          for (int j = 0; j < s.length() && bi < b.length; j++, idx++, bi++) {
            double a1 = Schemas.exponentialBound(idx - 1, r.schema);
            double a2 = Schemas.exponentialBound(idx, r.schema);
            double lo = positive ? a1 : -a2;
            double hi = positive ? a2 : -a1;
            if (all) {
              cut.count = 0;
              cut.changed = b[bi] != 0;
            } else {
              finite(lo, hi, b[bi], x, keepBelow, true, cut);
            }
            changed |= cut.changed;
            b[bi] = cut.count;
            count += cut.count;
            sum += cut.count == 0 ? 0 : cut.count * cut.rep;
          }
        }
      }
    }
    if (changed) {
      r.count = count;
      r.sum = sum;
    }
    return r.compact(0);
  }

  /** A bucket [lo, hi] with finite bounds. */
  private static void finite(double lo, double hi, double c, double x, boolean keepBelow, boolean exponential,
      Cut cut) {
    cut.changed = false;
    if (keepBelow ? hi <= x : lo >= x) {
      cut.count = c;
      cut.rep = middle(lo, hi, exponential);
      return;
    }
    if (keepBelow ? lo >= x : hi <= x) {
      cut.count = 0;
      cut.changed = c != 0;
      return;
    }
    double below = exponential && lo * hi > 0 ? logFraction(lo, hi, x) : (x - lo) / (hi - lo);
    cut.count = c * (keepBelow ? below : 1 - below);
    cut.rep = keepBelow ? middle(lo, x, exponential) : middle(x, hi, exponential);
    cut.changed = true;
  }

  /** A custom bucket, whose first and last bounds may be infinite. */
  private static void custom(double lo, double hi, double c, double x, boolean keepBelow, Cut cut) {
    boolean loInf = lo == Double.NEGATIVE_INFINITY;
    boolean hiInf = hi == Double.POSITIVE_INFINITY;
    if (!loInf && !hiInf) {
      finite(lo, hi, c, x, keepBelow, false, cut);
      return;
    }
    cut.changed = false;
    if (loInf && hiInf) {
      remove(c, cut);
      return;
    }
    if (loInf) {
      if (hi > 0) {
        if (x < 0) {
          remove(c, cut);
        } else {
          finite(0, hi, c, x, keepBelow, false, cut);
        }
        return;
      }
      if (keepBelow) {
        cut.count = c;
        cut.rep = Math.min(hi, x);
        cut.changed = x < hi;
      } else {
        remove(c, cut);
      }
      return;
    }
    if (keepBelow) {
      remove(c, cut);
    } else {
      cut.count = c;
      cut.rep = Math.max(lo, x);
      cut.changed = x > lo;
    }
  }

  private static void remove(double c, Cut cut) {
    cut.count = 0;
    cut.rep = 0;
    cut.changed = c != 0;
  }

  /** Share of an exponential bucket's observations below x (bounds of one sign). */
  private static double logFraction(double lo, double hi, double x) {
    if (lo > 0) {
      double l = HistogramStats.log2(lo);
      return (HistogramStats.log2(x) - l) / (HistogramStats.log2(hi) - l);
    }
    double l = HistogramStats.log2(-lo);
    return (l - HistogramStats.log2(-x)) / (l - HistogramStats.log2(-hi));
  }

  private static double middle(double lo, double hi, boolean exponential) {
    if (exponential && lo * hi > 0) {
      double g = Math.sqrt(lo * hi);
      return lo < 0 ? -g : g;
    }
    return (lo + hi) / 2;
  }
}
