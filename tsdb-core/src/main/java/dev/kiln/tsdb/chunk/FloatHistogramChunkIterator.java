package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.util.Arrays;

/**
 * Decodes a float-histogram {@link HistogramChunk}. Single-thread; corrupt bytes throw {@link
 * StorageException}. Decoding allocates nothing per sample.
 */
public final class FloatHistogramChunkIterator extends AbstractHistogramChunkIterator {
  /** Bits of count, zero count, sum, then positive and negative buckets. */
  private long[] values = new long[3];
  private int[] windows = new int[3];

  public FloatHistogramChunkIterator() {
    super("float histogram", ValueType.FLOAT_HISTOGRAM);
  }

  @Override
  void resetValues() {
    // values and windows are sized and cleared when the first sample's layout is read.
  }

  @Override
  public ValueType next() {
    if (atEnd()) {
      return ValueType.NONE;
    }
    if (numRead == 0) {
      layout = HistogramLayout.read(r);
      int n = 3 + layout.positiveBuckets + layout.negativeBuckets;
      if (values.length != n) {
        values = new long[n];
        windows = new int[n];
      } else {
        Arrays.fill(windows, 0);
      }
      readTime();
      for (int i = 0; i < n; i++) {
        values[i] = r.readBits(64);
      }
      numRead++;
      return ValueType.FLOAT_HISTOGRAM;
    }
    readTime();
    XorValues.read(r, values, windows, 0);
    XorValues.read(r, values, windows, 1);
    XorValues.read(r, values, windows, 2);
    if (!StaleNaN.is(Double.longBitsToDouble(values[2]))) {
      for (int i = 3; i < values.length; i++) {
        XorValues.read(r, values, windows, i);
      }
    }
    numRead++;
    return ValueType.FLOAT_HISTOGRAM;
  }

  @Override
  public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
    FloatHistogram fh = reuse != null ? reuse : new FloatHistogram();
    double s = Double.longBitsToDouble(values[2]);
    if (StaleNaN.is(s)) {
      clear(fh);
      fh.sum = s;
      return fh;
    }
    copyLayout(fh);
    fh.count = Double.longBitsToDouble(values[0]);
    fh.zeroCount = Double.longBitsToDouble(values[1]);
    fh.sum = s;
    fh.positiveBuckets = decode(3, layout.positiveBuckets, fh.positiveBuckets);
    fh.negativeBuckets =
        decode(3 + layout.positiveBuckets, layout.negativeBuckets, fh.negativeBuckets);
    return fh;
  }

  private double[] decode(int from, int n, double[] reuse) {
    if (n == 0) {
      return HistogramLayout.NO_VALUES;
    }
    double[] out = reuse != null && reuse.length == n ? reuse : new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Double.longBitsToDouble(values[from + i]);
    }
    return out;
  }
}
