package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.histogram.FloatHistogram;

/**
 * A {@link SampleIterator} over parallel arrays of timestamps, float values and float histograms
 * (an entry with a non-null histogram is a histogram sample, otherwise a float sample). The arrays
 * are not copied; histograms handed out are copies.
 */
public final class ArrayHistogramSampleIterator implements SampleIterator {
  private final long[] ts;
  private final double[] vs;
  private final FloatHistogram[] hs;
  private final int end;
  private int pos = -1;

  public ArrayHistogramSampleIterator(long[] timestamps, double[] values, FloatHistogram[] histograms, int count) {
    this.ts = timestamps;
    this.vs = values;
    this.hs = histograms;
    this.end = count;
  }

  private ValueType current() {
    if (pos >= end) {
      return ValueType.NONE;
    }
    return hs[pos] != null ? ValueType.FLOAT_HISTOGRAM : ValueType.FLOAT;
  }

  @Override
  public ValueType next() {
    if (pos < end) {
      pos++;
    }
    return current();
  }

  @Override
  public ValueType seek(long t) {
    if (pos < 0) {
      pos = 0;
    }
    while (pos < end && ts[pos] < t) {
      pos++;
    }
    return current();
  }

  @Override
  public long atT() {
    return ts[pos];
  }

  @Override
  public double atV() {
    return vs[pos];
  }

  @Override
  public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
    FloatHistogram h = hs[pos];
    if (h == null) {
      throw new IllegalStateException("not positioned on a histogram sample");
    }
    return reuse != null ? h.copyTo(reuse) : h.copy();
  }
}
