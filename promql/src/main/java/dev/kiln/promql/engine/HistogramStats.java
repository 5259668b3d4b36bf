package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.Bucket;
import dev.kiln.tsdb.histogram.BucketIterator;
import dev.kiln.tsdb.histogram.FloatHistogram;

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
    BucketIterator it;
    double rank;
    boolean forward = nanObservations || q < 0.5;
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
    if (!h.usesCustomBuckets() && lower < 0 && upper > 0) {
      if (h.negativeBuckets.length == 0 && h.positiveBuckets.length > 0) {
        lower = 0;
      } else if (h.positiveBuckets.length == 0 && h.negativeBuckets.length > 0) {
        upper = 0;
      }
    } else if (h.usesCustomBuckets()) {
      if (lower == Double.NEGATIVE_INFINITY) {
        if (upper <= 0) {
          return upper;
        }
        lower = 0;
      } else if (upper == Double.POSITIVE_INFINITY) {
        return lower;
      }
    }
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
    if (h.usesCustomBuckets() || (lower <= 0 && upper >= 0)) {
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

  private static final double INV_LN2 = 1 / 0.693147180559945309417232121458176568;

  /** Go's math.Log2 (frexp based, exact for powers of two). */
  static double log2(double x) {
    if (!(x > 0) || Double.isInfinite(x) || x < Double.MIN_NORMAL) {
      return Math.log(x) * INV_LN2;
    }
    int exp = Math.getExponent(x) + 1;
    double frac = x / Math.scalb(1.0, exp);
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
