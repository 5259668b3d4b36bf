package dev.kiln.tsdb.histogram;

import java.util.Arrays;

/**
 * A native histogram with integer counts, as instrumented clients expose it and chunks store it:
 * bucket counts are deltas (the first of each side absolute, each next one relative to the
 * previous bucket of that side). Mutable and not thread-safe; {@link #customValues} is shared
 * between copies and must never be modified. Mirrors Prometheus's {@code histogram.Histogram}.
 */
public final class Histogram {
  private static final long[] NO_DELTAS = new long[0];

  public CounterResetHint counterResetHint = CounterResetHint.UNKNOWN;
  public int schema;
  public double zeroThreshold;
  /** Observations in the zero bucket (unsigned in Prometheus; never negative here). */
  public long zeroCount;
  /** Total observations, including NaN observations, which no bucket counts. */
  public long count;
  public double sum;
  public Span[] positiveSpans = IndexedBuckets.NO_SPANS;
  public Span[] negativeSpans = IndexedBuckets.NO_SPANS;
  /** Delta-encoded positive bucket counts. */
  public long[] positiveBuckets = NO_DELTAS;
  /** Delta-encoded negative bucket counts. */
  public long[] negativeBuckets = NO_DELTAS;
  /** Custom bucket upper bounds (schema −53) without +Inf; otherwise null. Immutable. */
  public double[] customValues;

  public boolean usesCustomBuckets() {
    return Schemas.isCustomBuckets(schema);
  }

  /** A deep copy (custom values shared). */
  public Histogram copy() {
    Histogram c = new Histogram();
    c.counterResetHint = counterResetHint;
    c.schema = schema;
    c.zeroThreshold = zeroThreshold;
    c.zeroCount = zeroCount;
    c.count = count;
    c.sum = sum;
    c.positiveSpans = positiveSpans.clone();
    c.negativeSpans = negativeSpans.clone();
    c.positiveBuckets = positiveBuckets.clone();
    c.negativeBuckets = negativeBuckets.clone();
    c.customValues = customValues;
    return c;
  }

  /**
   * Converts to a float histogram with absolute counts, written into {@code reuse} when it is not
   * null (its arrays are replaced, never shared with this histogram).
   */
  public FloatHistogram toFloat(FloatHistogram reuse) {
    FloatHistogram fh = reuse != null ? reuse : new FloatHistogram();
    fh.counterResetHint = counterResetHint;
    fh.schema = schema;
    fh.count = count;
    fh.sum = sum;
    if (usesCustomBuckets()) {
      fh.zeroThreshold = 0;
      fh.zeroCount = 0;
      fh.negativeSpans = IndexedBuckets.NO_SPANS;
      fh.negativeBuckets = IndexedBuckets.NO_BUCKETS;
      fh.customValues = customValues;
    } else {
      fh.zeroThreshold = zeroThreshold;
      fh.zeroCount = zeroCount;
      fh.negativeSpans = negativeSpans.clone();
      fh.negativeBuckets = absolute(negativeBuckets, fh.negativeBuckets);
      fh.customValues = null;
    }
    fh.positiveSpans = positiveSpans.clone();
    fh.positiveBuckets = absolute(positiveBuckets, fh.positiveBuckets);
    return fh;
  }

  private static double[] absolute(long[] deltas, double[] reuse) {
    if (deltas.length == 0) {
      return IndexedBuckets.NO_BUCKETS;
    }
    double[] out = reuse != null && reuse.length == deltas.length && reuse != IndexedBuckets.NO_BUCKETS
        ? reuse : new double[deltas.length];
    double current = 0;
    for (int i = 0; i < deltas.length; i++) {
      current += (double) deltas[i];
      out[i] = current;
    }
    return out;
  }

  /** Positive buckets with absolute counts, ascending. */
  public BucketIterator positiveBucketIterator() {
    return new SideIterator(positiveSpans, null, positiveBuckets, schema, true, customValues);
  }

  /** Negative buckets with absolute counts, from the zero bucket downwards. */
  public BucketIterator negativeBucketIterator() {
    return new SideIterator(negativeSpans, null, negativeBuckets, schema, false, null);
  }

  /**
   * Validates the layout and counts; without NaN observations (sum not NaN) the bucket counts must
   * add up to {@code count} exactly, otherwise to at most {@code count}.
   *
   * @throws HistogramException with Prometheus's error text
   */
  public void validate() {
    long nCount = 0;
    if (Schemas.isCustomBuckets(schema)) {
      Validation.checkCustomBounds(customValues, positiveSpans, positiveBuckets.length);
      Validation.checkCustomOnlyFields(zeroCount != 0, zeroThreshold != 0, negativeSpans.length, negativeBuckets.length);
    } else if (Schemas.isExponential(schema)) {
      Validation.checkSpans("positive side: ", positiveSpans, positiveBuckets.length);
      Validation.checkSpans("negative side: ", negativeSpans, negativeBuckets.length);
      nCount = Validation.checkDeltaBuckets("negative side: ", negativeBuckets);
      if (customValues != null) {
        throw HistogramException.invalid(Validation.EXP_SCHEMA_CUSTOM_BOUNDS);
      }
    } else {
      throw HistogramException.invalid(Validation.invalidSchema(schema));
    }
    long pCount = Validation.checkDeltaBuckets("positive side: ", positiveBuckets);
    long sumOfBuckets = nCount + pCount + zeroCount;
    if (Double.isNaN(sum)) {
      if (Long.compareUnsigned(sumOfBuckets, count) > 0) {
        throw HistogramException.invalid(
            Long.toUnsignedString(sumOfBuckets) + " observations found in buckets, but the Count field is "
                + Long.toUnsignedString(count) + ": " + Validation.COUNT_NOT_BIG_ENOUGH);
      }
    } else if (sumOfBuckets != count) {
      throw HistogramException.invalid(
          Long.toUnsignedString(sumOfBuckets) + " observations found in buckets, but the Count field is "
              + Long.toUnsignedString(count) + ": " + Validation.COUNT_MISMATCH);
    }
  }

  /** Exact equality of data (sum compared by bits); the counter reset hint is not compared. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Histogram h)) {
      return false;
    }
    if (schema != h.schema || count != h.count
        || Double.doubleToRawLongBits(sum) != Double.doubleToRawLongBits(h.sum)) {
      return false;
    }
    if (usesCustomBuckets() && !Arrays.equals(customValues, h.customValues)) {
      return false;
    }
    if (zeroThreshold != h.zeroThreshold || zeroCount != h.zeroCount) {
      return false;
    }
    return toFloat(null).equals(h.toFloat(null));
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count) * 31 + Double.hashCode(sum) * 17 + schema;
  }

  /** Prometheus's text form, as for {@link FloatHistogram#toString()}. */
  @Override
  public String toString() {
    return toFloat(null).toString();
  }
}
