package dev.kiln.tsdb.histogram;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;

/** Structural checks shared by both histogram types, with Prometheus's error texts. */
final class Validation {
  static final String COUNT_NOT_BIG_ENOUGH =
      "histogram's observation count should be at least the number of observations found in the buckets";
  static final String COUNT_MISMATCH =
      "histogram's observation count should equal the number of observations found in the buckets (in absence of NaN)";
  static final String NEGATIVE_BUCKET_COUNT = "histogram has a bucket whose observation count is negative";
  static final String NEGATIVE_COUNT = "histogram's observation count is negative";
  static final String SPAN_NEGATIVE_OFFSET = "histogram has a span whose offset is negative";
  static final String SPANS_BUCKETS_MISMATCH = "histogram spans specify different number of buckets than provided";
  static final String CUSTOM_BUCKETS_MISMATCH = "histogram custom bounds are too few";
  static final String CUSTOM_BUCKETS_INVALID = "histogram custom bounds must be in strictly increasing order";
  static final String CUSTOM_BUCKETS_INFINITE = "histogram custom bounds must be finite";
  static final String EXP_SCHEMA_CUSTOM_BOUNDS = "histogram with exponential schema must not have custom bounds";

  private Validation() {}

  static String invalidSchema(int schema) {
    return "histogram has an invalid schema, which must be between "
        + Schemas.EXPONENTIAL_MIN
        + " and "
        + Schemas.EXPONENTIAL_MAX
        + " for exponential buckets, or "
        + Schemas.CUSTOM_BUCKETS
        + " for custom buckets, got schema "
        + schema;
  }

  static void checkSpans(String side, Span[] spans, int numBuckets) {
    long spanBuckets = 0;
    for (int n = 0; n < spans.length; n++) {
      if (n > 0 && spans[n].offset() < 0) {
        throw HistogramException.invalid(
            side + "span number " + (n + 1) + " with offset " + spans[n].offset() + ": " + SPAN_NEGATIVE_OFFSET);
      }
      spanBuckets += Integer.toUnsignedLong(spans[n].length());
    }
    if (spanBuckets != numBuckets) {
      throw HistogramException.invalid(
          side + "spans need " + spanBuckets + " buckets, have " + numBuckets + " buckets: " + SPANS_BUCKETS_MISMATCH);
    }
  }

  static void checkFloatBuckets(String side, double[] buckets) {
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] < 0) {
        throw HistogramException.invalid(
            side + "bucket number " + (i + 1) + " has observation count of " + GoFloats.format(buckets[i], Notation.V) + ": "
                + NEGATIVE_BUCKET_COUNT);
      }
    }
  }

  /** Checks delta-encoded buckets and returns the sum of their absolute counts. */
  static long checkDeltaBuckets(String side, long[] deltas) {
    long last = 0;
    long total = 0;
    for (int i = 0; i < deltas.length; i++) {
      long c = last + deltas[i];
      if (c < 0) {
        throw HistogramException.invalid(
            side + "bucket number " + (i + 1) + " has observation count of " + c + ": " + NEGATIVE_BUCKET_COUNT);
      }
      last = c;
      total += c;
    }
    return total;
  }

  static void checkCustomBounds(double[] bounds, Span[] spans, int numBuckets) {
    String p = "custom buckets: ";
    double prev = Double.NEGATIVE_INFINITY;
    if (bounds != null) {
      for (double curr : bounds) {
        if (curr <= prev) {
          throw HistogramException.invalid(
              p + "previous bound is " + goF(prev) + " and current is " + goF(curr) + ": " + CUSTOM_BUCKETS_INVALID);
        }
        prev = curr;
      }
    }
    if (prev == Double.POSITIVE_INFINITY) {
      throw HistogramException.invalid(p + "last +Inf bound must not be explicitly defined: " + CUSTOM_BUCKETS_INFINITE);
    }
    long spanBuckets = 0;
    long total = 0;
    for (int n = 0; n < spans.length; n++) {
      if (spans[n].offset() < 0) {
        throw HistogramException.invalid(
            p + "span number " + (n + 1) + " with offset " + spans[n].offset() + ": " + SPAN_NEGATIVE_OFFSET);
      }
      spanBuckets += spans[n].length();
      total += spans[n].length() + (long) spans[n].offset();
    }
    if (spanBuckets != numBuckets) {
      throw HistogramException.invalid(
          p + "spans need " + spanBuckets + " buckets, have " + numBuckets + " buckets: " + SPANS_BUCKETS_MISMATCH);
    }
    int len = bounds == null ? 0 : bounds.length;
    if (len + 1 < total) {
      throw HistogramException.invalid(
          p + "only " + len + " custom bounds defined which is insufficient to cover total span length of " + total
              + ": " + CUSTOM_BUCKETS_MISMATCH);
    }
  }

  static void checkCustomOnlyFields(boolean zeroCount, boolean zeroThreshold, int negSpans, int negBuckets) {
    if (zeroCount) {
      throw HistogramException.invalid("custom buckets: must have zero count of 0");
    }
    if (zeroThreshold) {
      throw HistogramException.invalid("custom buckets: must have zero threshold of 0");
    }
    if (negSpans > 0) {
      throw HistogramException.invalid("custom buckets: must not have negative spans");
    }
    if (negBuckets > 0) {
      throw HistogramException.invalid("custom buckets: must not have negative buckets");
    }
  }

  /** Go's {@code %f}. */
  private static String goF(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return String.format(java.util.Locale.ROOT, "%.6f", v);
  }
}
