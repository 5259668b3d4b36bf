package dev.kiln.tsdb.histogram;

/**
 * Walks the buckets of one side (positive or negative) of a histogram in ascending order of
 * absolute index. Counts are absolute floats, or integer deltas summed on the way.
 */
final class SideIterator implements BucketIterator {
  private final Span[] spans;
  private final double[] floats;
  private final long[] deltas;
  private final int schema;
  private final boolean positive;
  private final double[] customValues;
  private final int size;
  private int spanIdx;
  private int idxInSpan;
  private int bucketIdx;
  private int nextIndex;
  private int currIdx;
  private double currCount;
  private long currAbs;

  SideIterator(Span[] spans, double[] floats, long[] deltas, int schema, boolean positive, double[] customValues) {
    this.spans = spans;
    this.floats = floats;
    this.deltas = deltas;
    this.schema = schema;
    this.positive = positive;
    this.customValues = customValues;
    this.size = floats != null ? floats.length : deltas.length;
    this.nextIndex = spans.length > 0 ? spans[0].offset() : 0;
  }

  @Override
  public boolean next() {
    while (spanIdx < spans.length && idxInSpan >= spans[spanIdx].length()) {
      spanIdx++;
      idxInSpan = 0;
      if (spanIdx < spans.length) {
        nextIndex += spans[spanIdx].offset();
      }
    }
    if (spanIdx >= spans.length || bucketIdx >= size) {
      return false;
    }
    currIdx = nextIndex++;
    if (floats != null) {
      currCount = floats[bucketIdx];
    } else {
      currAbs += deltas[bucketIdx];
      currCount = currAbs;
    }
    bucketIdx++;
    idxInSpan++;
    return true;
  }

  int index() {
    return currIdx;
  }

  double count() {
    return currCount;
  }

  @Override
  public Bucket at() {
    return bucketAt(currIdx, currCount, schema, positive, customValues);
  }

  static Bucket bucketAt(int idx, double count, int schema, boolean positive, double[] customValues) {
    double lower;
    double upper;
    if (positive) {
      upper = Schemas.bound(idx, schema, customValues);
      lower = Schemas.bound(idx - 1, schema, customValues);
    } else {
      lower = -Schemas.bound(idx, schema, customValues);
      upper = -Schemas.bound(idx - 1, schema, customValues);
    }
    boolean lowerInclusive;
    boolean upperInclusive;
    if (Schemas.isCustomBuckets(schema)) {
      lowerInclusive = idx == 0;
      upperInclusive = true;
    } else {
      lowerInclusive = lower < 0;
      upperInclusive = upper > 0;
    }
    return new Bucket(lower, upper, lowerInclusive, upperInclusive, count, idx);
  }
}
