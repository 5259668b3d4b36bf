package dev.kiln.promql.engine;

import java.util.Arrays;

/**
 * Quantile arithmetic as Prometheus's {@code promql/quantile.go}: the φ-quantile of plain values
 * (used by {@code quantile} and {@code quantile_over_time}) and of classic histogram buckets
 * ({@code histogram_quantile}, {@code histogram_fraction}). Works in place on caller-owned
 * primitive arrays; stateless and thread-safe.
 */
final class Quantiles {
  /** Relative tolerance under which adjacent bucket counts are treated as equal. */
  static final double SMALL_DELTA_TOLERANCE = 1e-12;

  private Quantiles() {}

  /**
   * The q-quantile of {@code values[0..n)}, which is sorted in place (NaNs first, as Prometheus
   * sorts them). NaN for no values or NaN q, -Inf for q &lt; 0, +Inf for q &gt; 1.
   */
  static double quantile(double q, double[] values, int n) {
    if (n == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    sortNaNFirst(values, n);
    double count = n;
    double rank = q * (count - 1);
    double lowerIndex = Math.max(0, Math.floor(rank));
    double upperIndex = Math.min(count - 1, lowerIndex + 1);
    double weight = rank - Math.floor(rank);
    return values[(int) lowerIndex] * (1 - weight) + values[(int) upperIndex] * weight;
  }

  /** Sorts ascending with NaNs moved to the front. */
  static void sortNaNFirst(double[] values, int n) {
    int nan = 0;
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(values[i])) {
        double t = values[nan];
        values[nan] = values[i];
        values[i] = t;
        nan++;
      }
    }
    Arrays.sort(values, nan, n);
  }

  /** Result of a bucket quantile: the value and whether monotonicity had to be forced. */
  static final class BucketResult {
    double value;
    boolean forcedMonotonic;
  }

  /**
   * The q-quantile over classic buckets {@code (upper[i], count[i])}, {@code i < n}. The arrays
   * are sorted and rewritten in place.
   */
  static void bucketQuantile(double q, double[] upper, double[] count, int n, BucketResult out) {
    out.forcedMonotonic = false;
    if (Double.isNaN(q)) {
      out.value = Double.NaN;
      return;
    }
    if (q < 0) {
      out.value = Double.NEGATIVE_INFINITY;
      return;
    }
    if (q > 1) {
      out.value = Double.POSITIVE_INFINITY;
      return;
    }
    sortBuckets(upper, count, n);
    if (n == 0 || upper[n - 1] != Double.POSITIVE_INFINITY) {
      out.value = Double.NaN;
      return;
    }
    n = coalesce(upper, count, n);
    out.forcedMonotonic = ensureMonotonicAndIgnoreSmallDeltas(count, n, SMALL_DELTA_TOLERANCE);
    if (n < 2) {
      out.value = Double.NaN;
      return;
    }
    double observations = count[n - 1];
    if (observations == 0) {
      out.value = Double.NaN;
      return;
    }
    double rank = q * observations;
    int b = search(count, n - 1, rank);
    if (b == n - 1) {
      out.value = upper[n - 2];
      return;
    }
    if (b == 0 && upper[0] <= 0) {
      out.value = upper[0];
      return;
    }
    double bucketStart = 0;
    double bucketEnd = upper[b];
    double c = count[b];
    if (b > 0) {
      bucketStart = upper[b - 1];
      c -= count[b - 1];
      rank -= count[b - 1];
    }
    out.value = bucketStart + (bucketEnd - bucketStart) * (rank / c);
  }

  /** Fraction of observations between lower and upper over classic buckets. */
  static double bucketFraction(double lower, double upper, double[] ub, double[] count, int n) {
    sortBuckets(ub, count, n);
    if (n == 0 || ub[n - 1] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    n = coalesce(ub, count, n);
    double total = count[n - 1];
    if (total == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
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
    for (int i = 0; i < n; i++) {
      double lowerBound;
      if (i > 0) {
        lowerBound = ub[i - 1];
      } else {
        lowerBound = ub[0] > 0 ? 0 : Double.NEGATIVE_INFINITY;
      }
      double upperBound = ub[i];
      double bc = count[i];
      if (!lowerSet && lowerBound >= lower) {
        lowerRank = rank;
        lowerSet = true;
      }
      if (!upperSet && lowerBound >= upper) {
        upperRank = rank;
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      if (!lowerSet && lowerBound < lower && upperBound > lower) {
        lowerRank = interpolate(rank, bc, lowerBound, upperBound, lower);
        lowerSet = true;
      }
      if (!upperSet && lowerBound < upper && upperBound > upper) {
        upperRank = interpolate(rank, bc, lowerBound, upperBound, upper);
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      rank = bc;
    }
    if (!lowerSet || lowerRank > total) {
      lowerRank = total;
    }
    if (!upperSet || upperRank > total) {
      upperRank = total;
    }
    return (upperRank - lowerRank) / total;
  }

  private static double interpolate(
      double rank, double bucketCount, double lowerBound, double upperBound, double v) {
    if (Double.isInfinite(lowerBound) || Double.isInfinite(upperBound)) {
      // Nothing is known about the distribution inside an unbounded bucket.
      return Double.isInfinite(upperBound) ? rank : bucketCount;
    }
    return rank + (bucketCount - rank) * (v - lowerBound) / (upperBound - lowerBound);
  }

  /** First index in [0, n) whose count is >= rank, or n. */
  private static int search(double[] count, int n, double rank) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (count[mid] >= rank) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private static void sortBuckets(double[] upper, double[] count, int n) {
    // Insertion sort: bucket lists are short and usually already sorted.
    for (int i = 1; i < n; i++) {
      double u = upper[i];
      double c = count[i];
      int j = i - 1;
      while (j >= 0 && upper[j] > u) {
        upper[j + 1] = upper[j];
        count[j + 1] = count[j];
        j--;
      }
      upper[j + 1] = u;
      count[j + 1] = c;
    }
  }

  private static int coalesce(double[] upper, double[] count, int n) {
    int i = 0;
    double lastU = upper[0];
    double lastC = count[0];
    for (int k = 1; k < n; k++) {
      if (upper[k] == lastU) {
        lastC += count[k];
      } else {
        upper[i] = lastU;
        count[i] = lastC;
        i++;
        lastU = upper[k];
        lastC = count[k];
      }
    }
    upper[i] = lastU;
    count[i] = lastC;
    return i + 1;
  }

  static boolean ensureMonotonicAndIgnoreSmallDeltas(double[] count, int n, double tolerance) {
    boolean forced = false;
    double prev = count[0];
    for (int i = 1; i < n; i++) {
      double curr = count[i];
      if (curr == prev) {
        continue;
      }
      if (FloatCompare.almostEqual(prev, curr, tolerance)) {
        count[i] = prev;
        continue;
      }
      if (curr < prev) {
        count[i] = prev;
        forced = true;
        continue;
      }
      prev = curr;
    }
    return forced;
  }
}
