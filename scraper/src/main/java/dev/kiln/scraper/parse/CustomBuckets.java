package dev.kiln.scraper.parse;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Schemas;
import dev.kiln.tsdb.histogram.Span;
import java.util.Arrays;

/**
 * Collects the series of one classic histogram (its cumulative {@code _bucket} counts by
 * {@code le}, {@code _count} and {@code _sum}) and turns them into a native histogram with custom
 * buckets (schema -53), with the rules of Prometheus's {@code convertnhcb.TempHistogram}:
 *
 * <ul>
 *   <li>a NaN bound or a negative count, a bucket count lower than a smaller bound's (not
 *       cumulative) or a {@code +Inf} count other than {@code _count} makes the histogram
 *       unconvertible ({@link #convert} returns false); so does a NaN {@code _count} or
 *       {@code +Inf} count (it equals nothing), while a NaN count of a lower bucket passes every
 *       comparison and gives a float histogram with NaN buckets, as in Prometheus;
 *   <li>a repeated bound keeps its first count;
 *   <li>without {@code _count} the count is the highest bound's count; without a {@code +Inf}
 *       bucket one is added holding the count; without both buckets and count there is nothing to
 *       convert;
 *   <li>whole counts give an integer histogram (empty buckets compacted as Prometheus's
 *       {@code Compact(2)}), any fractional count a float histogram ({@code Compact(0)}).
 * </ul>
 *
 * <p>Reused: {@link #reset} starts the next histogram. Single-thread.
 */
final class CustomBuckets {
  private double[] bounds = new double[16];
  private double[] counts = new double[16];
  private int n;
  private double count;
  private double sum;
  private boolean hasCount;
  private boolean invalid;

  /** The conversion result: exactly one of the two is set after a successful {@link #convert}. */
  Histogram histogram;
  FloatHistogram floatHistogram;

  void reset() {
    n = 0;
    count = 0;
    sum = 0;
    hasCount = false;
    invalid = false;
    histogram = null;
    floatHistogram = null;
  }

  void bucket(double le, double cumulative) {
    if (invalid) {
      return;
    }
    if (Double.isNaN(le) || cumulative < 0) {
      invalid = true;
      return;
    }
    int i = Arrays.binarySearch(bounds, 0, n, le);
    if (i >= 0) {
      return; // A repeated bound keeps its first count.
    }
    int at = -i - 1;
    if (at > 0 && cumulative < counts[at - 1] || at < n && cumulative > counts[at]) {
      invalid = true;
      return;
    }
    if (n == bounds.length) {
      bounds = Arrays.copyOf(bounds, n * 2);
      counts = Arrays.copyOf(counts, n * 2);
    }
    System.arraycopy(bounds, at, bounds, at + 1, n - at);
    System.arraycopy(counts, at, counts, at + 1, n - at);
    bounds[at] = le;
    counts[at] = cumulative;
    n++;
  }

  void count(double c) {
    if (invalid) {
      return;
    }
    if (c < 0) {
      invalid = true;
      return;
    }
    count = c;
    hasCount = true;
  }

  void sum(double s) {
    if (!invalid) {
      sum = s;
    }
  }

  /** Converts what was collected; false when it cannot be (see the class comment). */
  boolean convert() {
    if (invalid || !hasCount && n == 0) {
      return false;
    }
    double total = hasCount ? count : counts[n - 1];
    int buckets = n;
    boolean addInf = n == 0 || bounds[n - 1] != Double.POSITIVE_INFINITY;
    if (addInf) {
      buckets++;
    }
    double last = addInf ? total : counts[n - 1];
    if (last != total) {
      return false;
    }
    double[] custom = new double[buckets - 1];
    System.arraycopy(bounds, 0, custom, 0, buckets - 1);
    double[] perBucket = new double[buckets];
    // NaN is never whole: NaN counts give a float histogram, as Prometheus's int64(math.Round(NaN)) test does.
    boolean whole = total == Math.rint(total) && total < 0x1p63;
    double prev = 0;
    for (int i = 0; i < buckets; i++) {
      double c = i < n ? counts[i] : total;
      whole &= c == Math.rint(c);
      perBucket[i] = c - prev;
      prev = c;
    }
    FloatHistogram fh = new FloatHistogram();
    fh.schema = Schemas.CUSTOM_BUCKETS;
    fh.count = total;
    fh.sum = sum;
    fh.positiveSpans = new Span[] {new Span(0, buckets)};
    fh.positiveBuckets = perBucket;
    fh.customValues = custom;
    if (!whole) {
      fh.compact(0);
      floatHistogram = fh;
      return true;
    }
    Histogram h = new Histogram();
    h.schema = Schemas.CUSTOM_BUCKETS;
    h.count = (long) total;
    h.sum = sum;
    h.customValues = custom;
    fh.compact(2);
    h.positiveSpans = fh.positiveSpans;
    long[] deltas = new long[fh.positiveBuckets.length];
    long p = 0;
    for (int i = 0; i < deltas.length; i++) {
      long c = (long) fh.positiveBuckets[i];
      deltas[i] = c - p;
      p = c;
    }
    h.positiveBuckets = deltas;
    histogram = h;
    return true;
  }
}
