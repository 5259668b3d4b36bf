package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.Bucket;
import dev.kiln.tsdb.histogram.BucketIterator;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Schemas;

/**
 * Scalar statistics of one native histogram, as Prometheus's {@code histogram_*} functions and
 * {@code HistogramQuantile}/{@code HistogramFraction} compute them: exponential buckets are
 * interpolated on a logarithmic scale, custom buckets and the zero bucket linearly. Stateless.
 */
final class HistogramStats {
  private HistogramStats() {}

  /** What {@link #quantile} found about NaN observations (a sum of NaN marks them). */
  enum NaNEffect {
    NONE,
    RESULT_NAN,
    SKEWED
  }

  /** Variance of the observations estimated from bucket midpoints (geometric for exponential). */
  static double variance(FloatHistogram h) {
    double mean = h.sum / h.count;
    double variance = 0;
    double c = 0;
    BucketIterator it = h.allBucketIterator();
    while (it.next()) {
      Bucket b = it.at();
      if (b.count() == 0) {
        continue;
      }
      double val;
      if (h.usesCustomBuckets()) {
        val = (b.upper() + b.lower()) / 2.0;
      } else if (b.lower() <= 0 && b.upper() >= 0) {
        val = 0;
      } else {
        val = Math.sqrt(b.upper() * b.lower());
        if (b.upper() < 0) {
          val = -val;
        }
      }
      double delta = val - mean;
      double inc = b.count() * delta * delta;
      c = KahanSum.compensation(inc, variance, c);
      variance = KahanSum.sum(inc, variance);
    }
    variance += c;
    return variance / h.count;
  }

  /** The q-quantile; {@code nan[0]} reports the effect of NaN observations. */
  static double quantile(double q, FloatHistogram h, NaNEffect[] nan) {
    nan[0] = NaNEffect.NONE;
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (h.count == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    boolean nanObservations = Double.isNaN(h.sum);
    double rank;
    boolean forward = nanObservations || q < 0.5;
    if (!h.usesCustomBuckets()) {
      return exponentialQuantile(h, forward, forward ? q * h.count : (1 - q) * h.count, nanObservations, nan);
    }
    BucketIterator it;
    if (forward) {
      it = h.allBucketIterator();
      rank = q * h.count;
    } else {
      it = h.allReverseBucketIterator();
      rank = (1 - q) * h.count;
    }
    double count = 0;
    double lower = 0;
    double upper = 0;
    double bucketCount = 0;
    while (it.next()) {
      Bucket b = it.at();
      if (b.count() == 0) {
        continue;
      }
      lower = b.lower();
      upper = b.upper();
      bucketCount = b.count();
      count += b.count();
      if (count >= rank) {
        break;
      }
    }
    if (lower == Double.NEGATIVE_INFINITY) {
      if (upper <= 0) {
        return upper;
      }
      lower = 0;
    } else if (upper == Double.POSITIVE_INFINITY) {
      return lower;
    }
    return withinBucket(h, forward, rank, count, bucketCount, lower, upper, true, nanObservations, nan);
  }

  /** Bucket kinds of {@link QuantileWalk}. */
  private static final int NEGATIVE = 1;
  private static final int ZERO = 2;
  private static final int POSITIVE = 3;

  /**
   * The state of a bucket walk for {@link #exponentialQuantile}: the running count and the last
   * populated bucket seen (kind and index), so bounds are computed for that bucket only.
   */
  private static final class QuantileWalk {
    final double rank;
    double count;
    double bucketCount;
    int kind;
    int idx;

    QuantileWalk(double rank) {
      this.rank = rank;
    }

    /** Visits one bucket; true when the rank is reached. */
    boolean visit(int kind, int idx, double c) {
      if (c == 0) {
        return false;
      }
      this.kind = kind;
      this.idx = idx;
      bucketCount = c;
      count += c;
      return count >= rank;
    }

    /** Visits one side's buckets in ascending index order; true when the rank is reached. */
    boolean ascending(int kind, dev.kiln.tsdb.histogram.Span[] spans, double[] b) {
      int index = 0;
      int bi = 0;
      for (dev.kiln.tsdb.histogram.Span s : spans) {
        index += s.offset();
        for (int j = 0; j < s.length() && bi < b.length; j++, index++, bi++) {
          if (visit(kind, index, b[bi])) {
            return true;
          }
        }
      }
      return false;
    }

    /** Visits one side's buckets in descending index order; true when the rank is reached. */
    boolean descending(int kind, dev.kiln.tsdb.histogram.Span[] spans, double[] b) {
      int index = -1;
      for (dev.kiln.tsdb.histogram.Span s : spans) {
        index += s.offset() + s.length();
      }
      int bi = b.length - 1;
      for (int sp = spans.length - 1; sp >= 0 && bi >= 0; sp--) {
        for (int j = 0; j < spans[sp].length() && bi >= 0; j++, index--, bi--) {
          if (visit(kind, index, b[bi])) {
            return true;
          }
        }
        index -= spans[sp].offset();
      }
      return false;
    }
  }

  /**
   * {@link #quantile} for exponential schemas without materialising buckets: walks the counts in
   * the order of {@link FloatHistogram#allBucketIterator} (or its reverse) and computes bounds of
   * the selected bucket only, clipped to the zero bucket as the iterator clips them.
   */
  private static double exponentialQuantile(
      FloatHistogram h, boolean forward, double rank, boolean nanObservations, NaNEffect[] nan) {
    QuantileWalk w = new QuantileWalk(rank);
    if (forward) {
      boolean done = w.descending(NEGATIVE, h.negativeSpans, h.negativeBuckets)
          || (h.zeroCount > 0 && w.visit(ZERO, 0, h.zeroCount));
      if (!done) {
        w.ascending(POSITIVE, h.positiveSpans, h.positiveBuckets);
      }
    } else {
      boolean done = w.descending(POSITIVE, h.positiveSpans, h.positiveBuckets)
          || (h.zeroCount > 0 && w.visit(ZERO, 0, h.zeroCount));
      if (!done) {
        w.ascending(NEGATIVE, h.negativeSpans, h.negativeBuckets);
      }
    }
    double lower = 0;
    double upper = 0;
    double zt = h.zeroThreshold;
    switch (w.kind) {
      case POSITIVE -> {
        upper = Schemas.exponentialBound(w.idx, h.schema);
        lower = Schemas.exponentialBound(w.idx - 1, h.schema);
      }
      case NEGATIVE -> {
        lower = -Schemas.exponentialBound(w.idx, h.schema);
        upper = -Schemas.exponentialBound(w.idx - 1, h.schema);
      }
      case ZERO -> {
        lower = -zt;
        upper = zt;
      }
      default -> { }
    }
    if (w.kind == POSITIVE || w.kind == NEGATIVE) {
      if (upper < 0 && upper > -zt) {
        upper = -zt;
      } else if (lower > 0 && lower < zt) {
        lower = zt;
      }
    }
    if (lower < 0 && upper > 0) {
      if (h.negativeBuckets.length == 0 && h.positiveBuckets.length > 0) {
        lower = 0;
      } else if (h.positiveBuckets.length == 0 && h.negativeBuckets.length > 0) {
        upper = 0;
      }
    }
    return withinBucket(h, forward, rank, w.count, w.bucketCount, lower, upper, false, nanObservations, nan);
  }

  /**
   * The quantile within the bucket (lower, upper] where the walk reached the rank: {@code count}
   * observations up to and including that bucket, {@code bucketCount} in it; interpolated linearly
   * when {@code linear} (custom buckets) or the bucket spans zero, exponentially otherwise, as
   * Prometheus's {@code HistogramQuantile}.
   */
  private static double withinBucket(FloatHistogram h, boolean forward, double rank, double count, double bucketCount,
      double lower, double upper, boolean linear, boolean nanObservations, NaNEffect[] nan) {
    if (count > h.count) {
      count = h.count;
    }
    if (count < rank) {
      if (nanObservations) {
        nan[0] = NaNEffect.RESULT_NAN;
        return Double.NaN;
      }
      return upper;
    }
    if (nanObservations) {
      nan[0] = NaNEffect.SKEWED;
    }
    if (forward) {
      rank -= count - bucketCount;
    } else {
      rank = count - rank;
    }
    double fraction = rank / bucketCount;
    if (linear || (lower <= 0 && upper >= 0)) {
      return lower + (upper - lower) * fraction;
    }
    double logLower = log2(Math.abs(lower));
    double logUpper = log2(Math.abs(upper));
    if (lower > 0) {
      return exp2(logLower + (logUpper - logLower) * fraction);
    }
    return -exp2(logUpper + (logLower - logUpper) * (1 - fraction));
  }

  /** The fraction of observations in (lower, upper]. */
  static double fraction(double lower, double upper, FloatHistogram h) {
    if (h.count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
      return Double.NaN;
    }
    if (lower >= upper) {
      return 0;
    }
    double rank = 0;
    double lowerRank = 0;
    double upperRank = 0;
    boolean lowerSet = false;
    boolean upperSet = false;
    BucketIterator it = h.allBucketIterator();
    while (it.next()) {
      Bucket b = it.at();
      double bl = b.lower();
      double bu = b.upper();
      boolean zeroBucket = false;
      if (bl <= 0 && bu >= 0) {
        zeroBucket = true;
        if (h.negativeBuckets.length == 0 && h.positiveBuckets.length > 0) {
          bl = 0;
        } else if (h.positiveBuckets.length == 0 && h.negativeBuckets.length > 0) {
          bu = 0;
        }
      }
      if (!lowerSet && bl >= lower) {
        lowerRank = rank;
        lowerSet = true;
      }
      if (!upperSet && bl >= upper) {
        upperRank = rank;
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      boolean linear = h.usesCustomBuckets() || zeroBucket;
      if (!lowerSet && bl < lower && bu > lower) {
        lowerRank = linear ? linear(rank, b.count(), bl, bu, lower) : exponential(rank, b.count(), bl, bu, lower);
        lowerSet = true;
      }
      if (!upperSet && bl < upper && bu > upper) {
        upperRank = linear ? linear(rank, b.count(), bl, bu, upper) : exponential(rank, b.count(), bl, bu, upper);
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      rank += b.count();
    }
    // Unset ranks are the total of all buckets, which excludes NaN observations.
    if (!lowerSet) {
      lowerRank = rank;
    }
    if (!upperSet) {
      upperRank = rank;
    }
    lowerRank = Math.min(lowerRank, h.count);
    upperRank = Math.min(upperRank, h.count);
    return (upperRank - lowerRank) / h.count;
  }

  /** Linear interpolation; a bucket of infinite width is not interpolated (its mass sits at the infinite end). */
  private static double linear(double rank, double count, double lower, double upper, double v) {
    if (lower == Double.NEGATIVE_INFINITY) {
      return rank + count;
    }
    if (upper == Double.POSITIVE_INFINITY) {
      return rank;
    }
    return rank + count * (v - lower) / (upper - lower);
  }

  private static double exponential(double rank, double count, double lower, double upper, double v) {
    double logLower = log2(Math.abs(lower));
    double logUpper = log2(Math.abs(upper));
    double logV = log2(Math.abs(v));
    double fraction;
    if (v > 0) {
      fraction = (logV - logLower) / (logUpper - logLower);
    } else {
      fraction = 1 - ((logV - logUpper) / (logLower - logUpper));
    }
    return rank + count * fraction;
  }

  /** 1/ln(2) rounded to a double, as Go's constant expression {@code 1 / Ln2}. */
  private static final double INV_LN2 = 1.44269504088896340735992468100189213742664595415298593413544940693110921918118507988552662289350634449699;

  /** Go's math.Log2 (frexp based, exact for powers of two; subnormals normalised first, as frexp does). */
  static double log2(double x) {
    if (!(x > 0) || Double.isInfinite(x)) {
      return Math.log(x) * INV_LN2;
    }
    int shift = 0;
    if (x < Double.MIN_NORMAL) {
      x *= 0x1p52;
      shift = 52;
    }
    int exp = Math.getExponent(x) + 1;
    double frac = x / Math.scalb(1.0, exp);
    exp -= shift;
    if (frac == 0.5) {
      return exp - 1;
    }
    return Math.log(frac) * INV_LN2 + exp;
  }

  /** 2^x, exact for integers. */
  static double exp2(double x) {
    if (x == Math.rint(x) && Math.abs(x) < 1000) {
      return Math.scalb(1.0, (int) x);
    }
    return Math.pow(2, x);
  }
}
