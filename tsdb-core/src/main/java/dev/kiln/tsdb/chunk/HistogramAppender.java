package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import java.util.List;

/**
 * Appends integer histograms to a {@link HistogramChunk}, following Prometheus's {@code
 * HistogramAppender.AppendHistogram} ({@code tsdb/chunkenc/histogram.go}): a sample the chunk
 * cannot take (counter reset, schema or zero-threshold change, a used bucket gone, a sample after
 * a stale marker) starts a new chunk; new buckets re-encode the chunk with the wider layout
 * ("recoding"); buckets the sample lacks but the chunk has (all empty) are inserted into the
 * sample. Gauge histograms follow the gauge rules (layout union both ways, no reset checks).
 *
 * <p>Single-thread. Callers append in increasing time order.
 */
public final class HistogramAppender extends AbstractHistogramAppender<Histogram, HistogramAppender> {
  private long cnt;
  private long zCnt;
  private long cntDelta;
  private long zCntDelta;
  private long[] pBuckets = new long[0];
  private long[] nBuckets = new long[0];
  private long[] pBucketsDelta = new long[0];
  private long[] nBucketsDelta = new long[0];
  private long sumBits;
  private int sumWindow = XorValues.NO_WINDOW;

  private HistogramAppender(HistogramChunk chunk) {
    super(chunk);
  }

  /** A fresh appender for a new empty chunk. */
  public static HistogramAppender create() {
    return new HistogramAppender(HistogramChunk.newHistogramChunk());
  }

  static HistogramAppender continuing(HistogramChunk c) {
    return new HistogramAppender(c).continueStored();
  }

  /**
   * Appends {@code h} at {@code t} and returns the appender to use from now on: this one, or one
   * for a new chunk (cut or, when {@link #recoded()}, a replacement of this chunk). The histogram
   * may be changed (buckets inserted) and must not be used by the caller afterwards.
   *
   * @param prev the appender of the series' previous chunk, or null; used to set the header of a
   *     new series chunk started on this (empty) one
   */
  public HistogramAppender append(HistogramAppender prev, long t, Histogram h) {
    return appendSample(prev, t, h);
  }

  @Override
  HistogramAppender newAppender() {
    return create();
  }

  @Override
  AbstractHistogramChunkIterator newIterator() {
    return new HistogramChunkIterator();
  }

  @Override
  Histogram decoded(SampleIterator it, Histogram reuse) {
    return it.atHistogram(reuse);
  }

  @Override
  Histogram widened(Histogram from, Histogram into, Span[] positive, Span[] negative, List<SpanExpansion.Insert> positiveInserts,
      List<SpanExpansion.Insert> negativeInserts) {
    Histogram w = into != null ? into : new Histogram();
    w.counterResetHint = from.counterResetHint;
    w.schema = from.schema;
    w.zeroThreshold = from.zeroThreshold;
    w.zeroCount = from.zeroCount;
    w.count = from.count;
    w.sum = from.sum;
    w.customValues = from.customValues;
    w.positiveSpans = positive;
    w.negativeSpans = negative;
    w.positiveBuckets = widenedBuckets(from.positiveBuckets, w.positiveBuckets, positive, positiveInserts);
    w.negativeBuckets = widenedBuckets(from.negativeBuckets, w.negativeBuckets, negative, negativeInserts);
    return w;
  }

  private static long[] widenedBuckets(long[] from, long[] reuse, Span[] spans, List<SpanExpansion.Insert> inserts) {
    int n = HistogramLayout.countBuckets(spans);
    if (inserts == null || inserts.isEmpty()) {
      long[] out = reuse != null && reuse.length == from.length && reuse != from ? reuse : new long[from.length];
      System.arraycopy(from, 0, out, 0, from.length);
      return out;
    }
    return SpanExpansion.insertDeltas(from, n, inserts, reuse);
  }

  @Override
  CounterResetHint hint(Histogram h) {
    return h.counterResetHint;
  }

  @Override
  double sum(Histogram h) {
    return h.sum;
  }

  @Override
  int schema(Histogram h) {
    return h.schema;
  }

  @Override
  double zeroThreshold(Histogram h) {
    return h.zeroThreshold;
  }

  @Override
  double[] customValues(Histogram h) {
    return h.customValues;
  }

  @Override
  Span[] positiveSpans(Histogram h) {
    return h.positiveSpans;
  }

  @Override
  Span[] negativeSpans(Histogram h) {
    return h.negativeSpans;
  }

  @Override
  void setSpans(Histogram h, Span[] positive, Span[] negative) {
    h.positiveSpans = positive;
    h.negativeSpans = negative;
  }

  @Override
  void insertBuckets(Histogram h, List<SpanExpansion.Insert> positive, List<SpanExpansion.Insert> negative) {
    if (positive != null && !positive.isEmpty()) {
      h.positiveBuckets =
          SpanExpansion.insertDeltas(h.positiveBuckets, HistogramLayout.countBuckets(h.positiveSpans), positive);
    }
    if (negative != null && !negative.isEmpty()) {
      h.negativeBuckets =
          SpanExpansion.insertDeltas(h.negativeBuckets, HistogramLayout.countBuckets(h.negativeSpans), negative);
    }
  }

  @Override
  boolean previousSumStale() {
    return StaleNaN.is(Double.longBitsToDouble(sumBits));
  }

  @Override
  boolean countDecreased(Histogram h) {
    return Long.compareUnsigned(h.count, cnt) < 0;
  }

  @Override
  boolean zeroCountDecreased(Histogram h) {
    return Long.compareUnsigned(h.zeroCount, zCnt) < 0;
  }

  @Override
  boolean bucketsDecreased(Histogram h) {
    return decreased(pBuckets, h.positiveBuckets) || decreased(nBuckets, h.negativeBuckets);
  }

  @Override
  void expand(Verdict v, Histogram h) {
    v.positive = SpanExpansion.expandInt(layout.positiveSpans, h.positiveSpans, pBuckets, h.positiveBuckets);
    v.negative = SpanExpansion.expandInt(layout.negativeSpans, h.negativeSpans, nBuckets, h.negativeBuckets);
  }

  @Override
  CounterResetHeader headerAfterGaugeChunk() {
    return CounterResetHeader.NOT_COUNTER_RESET;
  }

  @Override
  CounterResetHeader headerOfContinuation(CounterResetHeader verdict) {
    return verdict;
  }

  private static boolean decreased(long[] oldDeltas, long[] newDeltas) {
    long a = 0;
    long b = 0;
    for (int i = 0; i < oldDeltas.length; i++) {
      a += oldDeltas[i];
      b += newDeltas[i];
      if (a > b) {
        return true;
      }
    }
    return false;
  }

  /** Prometheus's {@code appendHistogram}: encodes one sample with the current layout. */
  @Override
  void write(long t, Histogram h) {
    BitWriter w = chunk.writer;
    int num = chunk.numSamples();
    boolean stale = StaleNaN.is(h.sum);
    long count = stale ? 0 : h.count;
    long zeroCount = stale ? 0 : h.zeroCount;
    long[] pb = stale ? HistogramLayout.NO_LONGS : h.positiveBuckets;
    long[] nb = stale ? HistogramLayout.NO_LONGS : h.negativeBuckets;
    long sum = Double.doubleToRawLongBits(h.sum);
    long cD = 0;
    long zD = 0;
    if (num == 0) {
      startLayout(w, stale, h);
      pBuckets = new long[layout.positiveBuckets];
      nBuckets = new long[layout.negativeBuckets];
      pBucketsDelta = new long[layout.positiveBuckets];
      nBucketsDelta = new long[layout.negativeBuckets];
      writeTime(w, num, t);
      Varbit.putUint(w, count);
      Varbit.putUint(w, zeroCount);
      w.writeBits(sum, 64);
      for (long b : pb) {
        Varbit.putInt(w, b);
      }
      for (long b : nb) {
        Varbit.putInt(w, b);
      }
    } else {
      writeTime(w, num, t);
      cD = count - cnt;
      zD = zeroCount - zCnt;
      long cDod = cD - cntDelta;
      long zDod = zD - zCntDelta;
      if (stale) {
        cDod = 0;
        zDod = 0;
      }
      Varbit.putInt(w, cDod);
      Varbit.putInt(w, zDod);
      sumWindow = XorValues.write(w, sum, sumBits, sumWindow);
      for (int i = 0; i < pb.length; i++) {
        long delta = pb[i] - pBuckets[i];
        Varbit.putInt(w, delta - pBucketsDelta[i]);
        pBucketsDelta[i] = delta;
      }
      for (int i = 0; i < nb.length; i++) {
        long delta = nb[i] - nBuckets[i];
        Varbit.putInt(w, delta - nBucketsDelta[i]);
        nBucketsDelta[i] = delta;
      }
    }
    chunk.setNumSamples(num + 1);
    cnt = count;
    zCnt = zeroCount;
    cntDelta = cD;
    zCntDelta = zD;
    System.arraycopy(pb, 0, pBuckets, 0, pb.length);
    System.arraycopy(nb, 0, nBuckets, 0, nb.length);
    sumBits = sum;
  }
}
