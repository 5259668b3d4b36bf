package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;

/**
 * Decodes an integer {@link HistogramChunk} (see its layout). Single-thread. Corrupt bytes throw
 * {@link StorageException}; the bytes are never modified. Decoding itself allocates nothing per
 * sample; {@link #atHistogram} and {@link #atFloatHistogram} copy into the caller's instance.
 */
public final class HistogramChunkIterator implements SampleIterator {
  private final BitReader r = new BitReader("histogram");
  private CounterResetHeader header;
  private int numTotal;
  private int numRead;
  private boolean exhausted;

  private HistogramLayout layout;
  private long t;
  private long cnt;
  private long zCnt;
  private long tDelta;
  private long cntDelta;
  private long zCntDelta;
  private long[] pBuckets = new long[0];
  private long[] nBuckets = new long[0];
  private long[] pBucketsDelta = new long[0];
  private long[] nBucketsDelta = new long[0];
  private final long[] sum = new long[1];
  private final int[] sumWindow = new int[1];

  /** Positions the iterator at the start of the chunk in {@code data[offset, offset+length)}. */
  public void reset(byte[] data, int offset, int length) {
    if (length < HistogramChunk.HEADER_BYTES) {
      throw new StorageException("histogram chunk too short: " + length + " bytes");
    }
    numTotal = ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    header = CounterResetHeader.fromFlags(data[offset + HistogramChunk.FLAG_POS]);
    r.reset(data, offset + HistogramChunk.HEADER_BYTES, length - HistogramChunk.HEADER_BYTES);
    numRead = 0;
    exhausted = false;
    t = Long.MIN_VALUE;
    cnt = zCnt = tDelta = cntDelta = zCntDelta = 0;
    sum[0] = 0;
    sumWindow[0] = 0;
  }

  /** The counter-reset header of the chunk being iterated. */
  public CounterResetHeader counterResetHeader() {
    return header;
  }

  @Override
  public ValueType next() {
    if (numRead == numTotal) {
      exhausted = true;
      return ValueType.NONE;
    }
    if (numRead == 0) {
      layout = HistogramLayout.read(r);
      pBuckets = ensure(pBuckets, layout.positiveBuckets);
      nBuckets = ensure(nBuckets, layout.negativeBuckets);
      pBucketsDelta = ensure(pBucketsDelta, layout.positiveBuckets);
      nBucketsDelta = ensure(nBucketsDelta, layout.negativeBuckets);
      t = Varbit.readInt(r);
      cnt = Varbit.readUint(r);
      zCnt = Varbit.readUint(r);
      sum[0] = r.readBits(64);
      for (int i = 0; i < pBuckets.length; i++) {
        pBuckets[i] = Varbit.readInt(r);
      }
      for (int i = 0; i < nBuckets.length; i++) {
        nBuckets[i] = Varbit.readInt(r);
      }
      numRead++;
      return ValueType.HISTOGRAM;
    }
    tDelta += Varbit.readInt(r);
    t += tDelta;
    cntDelta += Varbit.readInt(r);
    cnt += cntDelta;
    zCntDelta += Varbit.readInt(r);
    zCnt += zCntDelta;
    XorValues.read(r, sum, sumWindow, 0);
    if (!StaleNaN.is(Double.longBitsToDouble(sum[0]))) {
      for (int i = 0; i < pBuckets.length; i++) {
        pBucketsDelta[i] += Varbit.readInt(r);
        pBuckets[i] += pBucketsDelta[i];
      }
      for (int i = 0; i < nBuckets.length; i++) {
        nBucketsDelta[i] += Varbit.readInt(r);
        nBuckets[i] += nBucketsDelta[i];
      }
    }
    numRead++;
    return ValueType.HISTOGRAM;
  }

  private static long[] ensure(long[] a, int n) {
    if (a.length != n) {
      return new long[n];
    }
    java.util.Arrays.fill(a, 0);
    return a;
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
    return ValueType.HISTOGRAM;
  }

  @Override
  public long atT() {
    return t;
  }

  @Override
  public double atV() {
    throw new IllegalStateException("not positioned on a float sample");
  }

  /** Number of samples in the chunk. */
  public int numSamples() {
    return numTotal;
  }

  @Override
  public Histogram atHistogram(Histogram reuse) {
    Histogram h = reuse != null ? reuse : new Histogram();
    double s = Double.longBitsToDouble(sum[0]);
    if (StaleNaN.is(s)) {
      clear(h);
      h.sum = s;
      return h;
    }
    h.counterResetHint = header.hintFor(numRead);
    h.schema = layout.schema;
    h.zeroThreshold = layout.zeroThreshold;
    h.zeroCount = zCnt;
    h.count = cnt;
    h.sum = s;
    h.positiveSpans = copySpans(layout.positiveSpans, h.positiveSpans);
    h.negativeSpans = copySpans(layout.negativeSpans, h.negativeSpans);
    h.positiveBuckets = copy(pBuckets, h.positiveBuckets);
    h.negativeBuckets = copy(nBuckets, h.negativeBuckets);
    h.customValues = layout.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA ? layout.customValues : null;
    return h;
  }

  @Override
  public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
    FloatHistogram fh = reuse != null ? reuse : new FloatHistogram();
    double s = Double.longBitsToDouble(sum[0]);
    if (StaleNaN.is(s)) {
      FloatHistogramChunkIterator.clear(fh);
      fh.sum = s;
      return fh;
    }
    fh.counterResetHint = header.hintFor(numRead);
    fh.schema = layout.schema;
    fh.zeroThreshold = layout.zeroThreshold;
    fh.zeroCount = zCnt;
    fh.count = cnt;
    fh.sum = s;
    fh.positiveSpans = copySpans(layout.positiveSpans, fh.positiveSpans);
    fh.negativeSpans = copySpans(layout.negativeSpans, fh.negativeSpans);
    fh.positiveBuckets = absolute(pBuckets, fh.positiveBuckets);
    fh.negativeBuckets = absolute(nBuckets, fh.negativeBuckets);
    fh.customValues = layout.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA ? layout.customValues : null;
    return fh;
  }

  static void clear(Histogram h) {
    h.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.UNKNOWN;
    h.schema = 0;
    h.zeroThreshold = 0;
    h.zeroCount = 0;
    h.count = 0;
    h.positiveSpans = HistogramLayout.NO_SPANS;
    h.negativeSpans = HistogramLayout.NO_SPANS;
    h.positiveBuckets = HistogramLayout.NO_LONGS;
    h.negativeBuckets = HistogramLayout.NO_LONGS;
    h.customValues = null;
  }

  static Span[] copySpans(Span[] src, Span[] reuse) {
    if (src.length == 0) {
      return HistogramLayout.NO_SPANS;
    }
    Span[] out = reuse != null && reuse.length == src.length ? reuse : new Span[src.length];
    System.arraycopy(src, 0, out, 0, src.length);
    return out;
  }

  private static long[] copy(long[] src, long[] reuse) {
    if (src.length == 0) {
      return HistogramLayout.NO_LONGS;
    }
    long[] out = reuse != null && reuse.length == src.length ? reuse : new long[src.length];
    System.arraycopy(src, 0, out, 0, src.length);
    return out;
  }

  private static double[] absolute(long[] deltas, double[] reuse) {
    if (deltas.length == 0) {
      return HistogramLayout.NO_VALUES;
    }
    double[] out = reuse != null && reuse.length == deltas.length ? reuse : new double[deltas.length];
    long c = 0;
    for (int i = 0; i < deltas.length; i++) {
      c += deltas[i];
      out[i] = c;
    }
    return out;
  }
}
