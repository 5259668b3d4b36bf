package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;

/**
 * Decodes an integer {@link HistogramChunk} (see its layout). Single-thread. Corrupt bytes throw
 * {@link StorageException}; the bytes are never modified. Decoding itself allocates nothing per
 * sample; {@link #atHistogram} and {@link #atFloatHistogram} copy into the caller's instance.
 */
public final class HistogramChunkIterator extends AbstractHistogramChunkIterator {
  private long cnt;
  private long zCnt;
  private long cntDelta;
  private long zCntDelta;
  /** Bucket counts (as deltas between buckets) and their last deltas; capacity ≥ np / nn, kept across chunks. */
  private long[] pBuckets = new long[0];
  private long[] nBuckets = new long[0];
  private long[] pBucketsDelta = new long[0];
  private long[] nBucketsDelta = new long[0];
  /** Positive and negative bucket counts of the chunk's layout. */
  private int np;
  private int nn;
  private final long[] sum = new long[1];
  private final int[] sumWindow = new int[1];

  public HistogramChunkIterator() {
    super("histogram", ValueType.HISTOGRAM);
  }

  @Override
  void resetValues() {
    cnt = zCnt = cntDelta = zCntDelta = 0;
    sum[0] = 0;
    sumWindow[0] = 0;
  }

  @Override
  public ValueType next() {
    if (atEnd()) {
      return ValueType.NONE;
    }
    if (numRead == 0) {
      layout = HistogramLayout.read(r);
      np = layout.positiveBuckets;
      nn = layout.negativeBuckets;
      pBuckets = ensure(pBuckets, np);
      nBuckets = ensure(nBuckets, nn);
      pBucketsDelta = ensure(pBucketsDelta, np);
      nBucketsDelta = ensure(nBucketsDelta, nn);
      readTime();
      cnt = Varbit.readUint(r);
      zCnt = Varbit.readUint(r);
      sum[0] = r.readBits(64);
      for (int i = 0; i < np; i++) {
        pBuckets[i] = Varbit.readInt(r);
      }
      for (int i = 0; i < nn; i++) {
        nBuckets[i] = Varbit.readInt(r);
      }
      numRead++;
      return ValueType.HISTOGRAM;
    }
    readTime();
    cntDelta += Varbit.readInt(r);
    cnt += cntDelta;
    zCntDelta += Varbit.readInt(r);
    zCnt += zCntDelta;
    XorValues.read(r, sum, sumWindow, 0);
    if (!StaleNaN.is(Double.longBitsToDouble(sum[0]))) {
      long[] pb = pBuckets;
      long[] pd = pBucketsDelta;
      for (int i = 0; i < np; i++) {
        long d = pd[i] + Varbit.readInt(r);
        pd[i] = d;
        pb[i] += d;
      }
      for (int i = 0; i < nn; i++) {
        nBucketsDelta[i] += Varbit.readInt(r);
        nBuckets[i] += nBucketsDelta[i];
      }
    }
    numRead++;
    return ValueType.HISTOGRAM;
  }

  /** An array of at least n elements, the first n of them zero. */
  private static long[] ensure(long[] a, int n) {
    if (a.length < n) {
      return new long[Math.max(n, a.length + a.length / 2)];
    }
    java.util.Arrays.fill(a, 0, n, 0);
    return a;
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
    copyLayout(h);
    h.zeroCount = zCnt;
    h.count = cnt;
    h.sum = s;
    h.positiveBuckets = copy(pBuckets, np, h.positiveBuckets);
    h.negativeBuckets = copy(nBuckets, nn, h.negativeBuckets);
    return h;
  }

  @Override
  public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
    FloatHistogram fh = reuse != null ? reuse : new FloatHistogram();
    double s = Double.longBitsToDouble(sum[0]);
    if (StaleNaN.is(s)) {
      clear(fh);
      fh.sum = s;
      return fh;
    }
    copyLayout(fh);
    fh.zeroCount = zCnt;
    fh.count = cnt;
    fh.sum = s;
    fh.positiveBuckets = absolute(pBuckets, np, fh.positiveBuckets);
    fh.negativeBuckets = absolute(nBuckets, nn, fh.negativeBuckets);
    return fh;
  }

  private static long[] copy(long[] src, int n, long[] reuse) {
    if (n == 0) {
      return HistogramLayout.NO_LONGS;
    }
    long[] out = reuse != null && reuse.length == n ? reuse : new long[n];
    System.arraycopy(src, 0, out, 0, n);
    return out;
  }

  private static double[] absolute(long[] deltas, int n, double[] reuse) {
    if (n == 0) {
      return HistogramLayout.NO_VALUES;
    }
    double[] out = reuse != null && reuse.length == n ? reuse : new double[n];
    long c = 0;
    for (int i = 0; i < n; i++) {
      c += deltas[i];
      out[i] = c;
    }
    return out;
  }
}
