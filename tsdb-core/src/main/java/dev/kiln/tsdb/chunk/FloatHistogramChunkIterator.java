package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.util.Arrays;

/**
 * Decodes a float-histogram {@link HistogramChunk}. Single-thread; corrupt bytes throw {@link
 * StorageException}. Decoding allocates nothing per sample.
 */
public final class FloatHistogramChunkIterator implements SampleIterator {
  private final BitReader r = new BitReader("float histogram");
  private CounterResetHeader header;
  private int numTotal;
  private int numRead;
  private boolean exhausted;

  private HistogramLayout layout;
  private long t;
  private long tDelta;
  /** Bits of count, zero count, sum, then positive and negative buckets. */
  private long[] values = new long[3];
  private int[] windows = new int[3];

  public void reset(byte[] data, int offset, int length) {
    if (length < HistogramChunk.HEADER_BYTES) {
      throw new StorageException("float histogram chunk too short: " + length + " bytes");
    }
    numTotal = ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    header = CounterResetHeader.fromFlags(data[offset + HistogramChunk.FLAG_POS]);
    r.reset(data, offset + HistogramChunk.HEADER_BYTES, length - HistogramChunk.HEADER_BYTES);
    numRead = 0;
    exhausted = false;
    t = Long.MIN_VALUE;
    tDelta = 0;
  }

  public CounterResetHeader counterResetHeader() {
    return header;
  }

  public int numSamples() {
    return numTotal;
  }

  @Override
  public ValueType next() {
    if (numRead == numTotal) {
      exhausted = true;
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
      t = Varbit.readInt(r);
      for (int i = 0; i < n; i++) {
        values[i] = r.readBits(64);
      }
      numRead++;
      return ValueType.FLOAT_HISTOGRAM;
    }
    tDelta += Varbit.readInt(r);
    t += tDelta;
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
  public ValueType seek(long target) {
    if (exhausted) {
      return ValueType.NONE;
    }
    while (numRead == 0 || target > t) {
      if (next() == ValueType.NONE) {
        return ValueType.NONE;
      }
    }
    return ValueType.FLOAT_HISTOGRAM;
  }

  @Override
  public long atT() {
    return t;
  }

  @Override
  public double atV() {
    throw new IllegalStateException("not positioned on a float sample");
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
    fh.counterResetHint = header.hintFor(numRead);
    fh.schema = layout.schema;
    fh.zeroThreshold = layout.zeroThreshold;
    fh.count = Double.longBitsToDouble(values[0]);
    fh.zeroCount = Double.longBitsToDouble(values[1]);
    fh.sum = s;
    fh.positiveSpans = HistogramChunkIterator.copySpans(layout.positiveSpans, fh.positiveSpans);
    fh.negativeSpans = HistogramChunkIterator.copySpans(layout.negativeSpans, fh.negativeSpans);
    fh.positiveBuckets = decode(3, layout.positiveBuckets, fh.positiveBuckets);
    fh.negativeBuckets =
        decode(3 + layout.positiveBuckets, layout.negativeBuckets, fh.negativeBuckets);
    fh.customValues = layout.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA ? layout.customValues : null;
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

  static void clear(FloatHistogram h) {
    h.counterResetHint = CounterResetHint.UNKNOWN;
    h.schema = 0;
    h.zeroThreshold = 0;
    h.zeroCount = 0;
    h.count = 0;
    h.positiveSpans = HistogramLayout.NO_SPANS;
    h.negativeSpans = HistogramLayout.NO_SPANS;
    h.positiveBuckets = HistogramLayout.NO_VALUES;
    h.negativeBuckets = HistogramLayout.NO_VALUES;
    h.customValues = null;
  }
}
