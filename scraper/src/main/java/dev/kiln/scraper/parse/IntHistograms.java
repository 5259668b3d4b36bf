package dev.kiln.scraper.parse;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;

/**
 * Integer-histogram operations the model offers for float histograms only, done through an exact
 * float round trip (bucket counts of a scraped histogram are far below 2^53).
 */
public final class IntHistograms {
  private IntHistograms() {}

  /** Prometheus's {@code Histogram.Compact(0)}: drops empty buckets and merges adjacent spans, in place. */
  public static Histogram compact(Histogram h) {
    return fromFloat(h.toFloat(null).compact(0), h);
  }

  /** Prometheus's {@code Histogram.ReduceResolution}, in place ({@code targetSchema} below the schema). */
  public static Histogram reduceResolution(Histogram h, int targetSchema) {
    return fromFloat(h.toFloat(null).reduceResolution(targetSchema), h);
  }

  /** The number of buckets (populated or not) within the spans, as Prometheus's bucket limit counts them. */
  public static int buckets(Histogram h) {
    return h.positiveBuckets.length + h.negativeBuckets.length;
  }

  private static Histogram fromFloat(FloatHistogram f, Histogram into) {
    into.schema = f.schema;
    into.positiveSpans = f.positiveSpans;
    into.negativeSpans = f.negativeSpans;
    into.positiveBuckets = deltas(f.positiveBuckets);
    into.negativeBuckets = deltas(f.negativeBuckets);
    return into;
  }

  private static long[] deltas(double[] counts) {
    long[] out = new long[counts.length];
    long prev = 0;
    for (int i = 0; i < counts.length; i++) {
      long c = (long) counts[i];
      out[i] = c - prev;
      prev = c;
    }
    return out;
  }
}
