package dev.kiln.tsdb.storage;

/** A {@link SampleIterator} over parallel arrays of timestamps and values, sorted by time. */
public final class ArraySampleIterator implements SampleIterator {
  private final long[] ts;
  private final double[] vs;
  private final int end;
  private int pos = -1;

  /** Iterates over the first {@code count} entries of the arrays, which it does not copy. */
  public ArraySampleIterator(long[] timestamps, double[] values, int count) {
    this.ts = timestamps;
    this.vs = values;
    this.end = count;
  }

  @Override
  public ValueType next() {
    if (pos < end) {
      pos++;
    }
    return pos < end ? ValueType.FLOAT : ValueType.NONE;
  }

  @Override
  public ValueType seek(long t) {
    if (pos < 0) {
      pos = 0;
    }
    if (pos >= end) {
      return ValueType.NONE;
    }
    if (ts[pos] >= t) {
      return ValueType.FLOAT;
    }
    int lo = pos + 1;
    int hi = end;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    pos = lo;
    return pos < end ? ValueType.FLOAT : ValueType.NONE;
  }

  @Override
  public int nextFloats(long maxt, long[] ts, double[] vs, int off, int len) {
    if (pos < 0 || pos >= end) {
      return 0;
    }
    int n = 0;
    while (n < len && pos + 1 < end && this.ts[pos + 1] <= maxt) {
      pos++;
      ts[off + n] = this.ts[pos];
      vs[off + n] = this.vs[pos];
      n++;
    }
    return n;
  }

  @Override
  public long atT() {
    return ts[pos];
  }

  @Override
  public double atV() {
    return vs[pos];
  }
}
