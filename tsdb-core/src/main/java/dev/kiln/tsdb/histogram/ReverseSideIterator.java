package dev.kiln.tsdb.histogram;

/** Walks the buckets of one side of a float histogram in descending order of absolute index. */
final class ReverseSideIterator implements BucketIterator {
  private final Span[] spans;
  private final double[] buckets;
  private final int schema;
  private final boolean positive;
  private final double[] customValues;
  private int spanIdx;
  private int idxInSpan;
  private int bucketIdx;
  private int nextIndex;
  private int currIdx;
  private double currCount;

  ReverseSideIterator(Span[] spans, double[] buckets, int schema, boolean positive, double[] customValues) {
    this.spans = spans;
    this.buckets = buckets;
    this.schema = schema;
    this.positive = positive;
    this.customValues = customValues;
    this.spanIdx = spans.length - 1;
    this.bucketIdx = buckets.length - 1;
    this.idxInSpan = spanIdx >= 0 ? spans[spanIdx].length() - 1 : -1;
    int last = -1;
    for (Span s : spans) {
      last += s.offset() + s.length();
    }
    this.nextIndex = last;
  }

  @Override
  public boolean next() {
    if (bucketIdx < 0) {
      return false;
    }
    while (idxInSpan < 0) {
      nextIndex -= spans[spanIdx].offset();
      spanIdx--;
      if (spanIdx < 0) {
        return false;
      }
      idxInSpan = spans[spanIdx].length() - 1;
    }
    currIdx = nextIndex--;
    currCount = buckets[bucketIdx--];
    idxInSpan--;
    return true;
  }

  @Override
  public Bucket at() {
    return SideIterator.bucketAt(currIdx, currCount, schema, positive, customValues);
  }
}
