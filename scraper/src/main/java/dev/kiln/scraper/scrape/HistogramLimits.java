package dev.kiln.scraper.scrape;

import dev.kiln.scraper.parse.IntHistograms;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Schemas;

/**
 * Reduces the resolution of scraped native histograms as Prometheus's {@code maxSchemaAppender}
 * ({@code native_histogram_min_bucket_factor}) and then {@code bucketLimitAppender}
 * ({@code native_histogram_bucket_limit}) do. Immutable.
 */
final class HistogramLimits {
  private static final int SCHEMA_MIN = -4;
  private static final int SCHEMA_MAX = 8;

  private final int bucketLimit;
  private final int maxSchema;

  HistogramLimits(int bucketLimit, double minBucketFactor) {
    this.bucketLimit = bucketLimit;
    this.maxSchema = pickSchema(minBucketFactor);
  }

  /** Prometheus's {@code pickSchema}: the largest schema whose bucket factor is at least {@code factor}. */
  static int pickSchema(double factor) {
    if (factor <= 1) {
      factor = 1.00271;
    }
    double floor = Math.floor(-log2(log2(factor)));
    if (floor >= SCHEMA_MAX) {
      return SCHEMA_MAX;
    }
    if (floor <= SCHEMA_MIN) {
      return SCHEMA_MIN;
    }
    return (int) floor;
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }

  /**
   * Reduces {@code h} or {@code fh} in place; false when the bucket limit cannot be met (the
   * scrape then fails with "histogram bucket limit exceeded").
   */
  boolean apply(Histogram h, FloatHistogram fh) {
    if (h != null) {
      if (maxSchema < SCHEMA_MAX && exponential(h.schema) && h.schema > maxSchema) {
        IntHistograms.reduceResolution(h, maxSchema);
      }
      if (bucketLimit <= 0) {
        return true;
      }
      if (IntHistograms.buckets(h) > bucketLimit && !exponential(h.schema)) {
        return false;
      }
      while (IntHistograms.buckets(h) > bucketLimit) {
        if (h.schema <= SCHEMA_MIN) {
          return false;
        }
        IntHistograms.reduceResolution(h, h.schema - 1);
      }
      return true;
    }
    if (maxSchema < SCHEMA_MAX && exponential(fh.schema) && fh.schema > maxSchema) {
      fh.reduceResolution(maxSchema);
    }
    if (bucketLimit <= 0) {
      return true;
    }
    if (fh.positiveBuckets.length + fh.negativeBuckets.length > bucketLimit && !exponential(fh.schema)) {
      return false;
    }
    while (fh.positiveBuckets.length + fh.negativeBuckets.length > bucketLimit) {
      if (fh.schema <= SCHEMA_MIN) {
        return false;
      }
      fh.reduceResolution(fh.schema - 1);
    }
    return true;
  }

  private static boolean exponential(int schema) {
    return !Schemas.isCustomBuckets(schema) && schema >= SCHEMA_MIN && schema <= SCHEMA_MAX;
  }
}
