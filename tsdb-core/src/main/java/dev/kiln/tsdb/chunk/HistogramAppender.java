package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;

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
public final class HistogramAppender {
  private final HistogramChunk chunk;
  private boolean recoded;
  /** The outcome of the last appendability check, reused from sample to sample. */
  private final Appendable check = new Appendable();

  private HistogramLayout layout;
  private long t = Long.MIN_VALUE;
  private long cnt;
  private long zCnt;
  private long tDelta;
  private long cntDelta;
  private long zCntDelta;
  private long[] pBuckets = new long[0];
  private long[] nBuckets = new long[0];
  private long[] pBucketsDelta = new long[0];
  private long[] nBucketsDelta = new long[0];
  private long sumBits;
  private int sumWindow = XorValues.NO_WINDOW;

  private HistogramAppender(HistogramChunk chunk) {
    this.chunk = chunk;
  }

  /** A fresh appender for a new empty chunk. */
  public static HistogramAppender create() {
    return new HistogramAppender(HistogramChunk.newHistogramChunk());
  }

  static HistogramAppender continuing(HistogramChunk c) {
    HistogramAppender a = new HistogramAppender(c);
    if (!c.live()) {
      CounterResetHeader header = c.counterResetHeader();
      HistogramChunkIterator it = new HistogramChunkIterator();
      byte[] old = c.bytes();
      it.reset(old, 0, old.length);
      c.resetWriter(header);
      Histogram read = new Histogram();
      while (it.next() != dev.kiln.tsdb.storage.ValueType.NONE) {
        a.write(it.atT(), it.atHistogram(read));
      }
    } else if (c.numSamples() > 0) {
      throw new IllegalStateException("a live histogram chunk has its appender already");
    }
    return a;
  }

  /** The chunk this appender writes. */
  public HistogramChunk chunk() {
    return chunk;
  }

  /** Whether this appender's chunk replaced the previous chunk by re-encoding it (recoding). */
  public boolean recoded() {
    return recoded;
  }

  public int numSamples() {
    return chunk.numSamples();
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
    if (chunk.numSamples() == 0) {
      write(t, h);
      if (h.counterResetHint == CounterResetHint.GAUGE) {
        chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
      } else if (h.counterResetHint == CounterResetHint.COUNTER_RESET) {
        chunk.setCounterResetHeader(CounterResetHeader.COUNTER_RESET);
      } else if (prev != null) {
        chunk.setCounterResetHeader(prev.appendable(h).header);
      }
      return this;
    }
    if (h.counterResetHint != CounterResetHint.GAUGE) {
      Appendable ap = appendable(h);
      if (!ap.ok || ap.header != CounterResetHeader.NOT_COUNTER_RESET) {
        HistogramAppender next = create();
        next.chunk.setCounterResetHeader(ap.header);
        next.write(t, h);
        return next;
      }
      SpanExpansion.Result pos = ap.positive;
      SpanExpansion.Result neg = ap.negative;
      boolean forward = pos != null && !pos.forward.isEmpty() || neg != null && !neg.forward.isEmpty();
      boolean backward = pos != null && !pos.backward.isEmpty() || neg != null && !neg.backward.isEmpty();
      if (backward) {
        if (!forward) {
          h.positiveSpans = layout.positiveSpans.clone();
          h.negativeSpans = layout.negativeSpans.clone();
        } else {
          h.positiveSpans = SpanExpansion.adjustForInserts(h.positiveSpans, pos.backward);
          h.negativeSpans = SpanExpansion.adjustForInserts(h.negativeSpans, neg.backward);
        }
        insertIntoSample(h, pos, neg);
      }
      if (forward) {
        HistogramAppender next = recode(pos, neg, h.positiveSpans, h.negativeSpans);
        next.write(t, h);
        return next;
      }
      write(t, h);
      return this;
    }
    // Gauge histogram.
    if (!appendableGauge(h)) {
      HistogramAppender next = create();
      next.chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
      next.write(t, h);
      return next;
    }
    if (StaleNaN.is(h.sum)) {
      write(t, h);
      return this;
    }
    SpanExpansion.Result pos = SpanExpansion.expandBothWays(layout.positiveSpans, h.positiveSpans);
    SpanExpansion.Result neg = SpanExpansion.expandBothWays(layout.negativeSpans, h.negativeSpans);
    if (!pos.backward.isEmpty() || !neg.backward.isEmpty()) {
      h.positiveSpans = pos.merged;
      h.negativeSpans = neg.merged;
      insertIntoSample(h, pos, neg);
    }
    if (!pos.forward.isEmpty() || !neg.forward.isEmpty()) {
      HistogramAppender next = recode(pos, neg, h.positiveSpans, h.negativeSpans);
      next.write(t, h);
      return next;
    }
    write(t, h);
    return this;
  }

  private static void insertIntoSample(
      Histogram h, SpanExpansion.Result pos, SpanExpansion.Result neg) {
    if (pos != null && !pos.backward.isEmpty()) {
      h.positiveBuckets =
          SpanExpansion.insertDeltas(
              h.positiveBuckets, HistogramLayout.countBuckets(h.positiveSpans), pos.backward);
    }
    if (neg != null && !neg.backward.isEmpty()) {
      h.negativeBuckets =
          SpanExpansion.insertDeltas(
              h.negativeBuckets, HistogramLayout.countBuckets(h.negativeSpans), neg.backward);
    }
  }

  /** Outcome of the counter appendability check. */
  private static final class Appendable {
    boolean ok;
    CounterResetHeader header = CounterResetHeader.NOT_COUNTER_RESET;
    SpanExpansion.Result positive;
    SpanExpansion.Result negative;
  }

  /** Prometheus's {@code appendable}: whether {@code h} continues this counter chunk. */
  private Appendable appendable(Histogram h) {
    Appendable r = check;
    r.ok = false;
    r.header = CounterResetHeader.NOT_COUNTER_RESET;
    r.positive = null;
    r.negative = null;
    if (chunk.numSamples() > 0 && chunk.counterResetHeader() == CounterResetHeader.GAUGE) {
      return r;
    }
    if (h.counterResetHint == CounterResetHint.COUNTER_RESET) {
      r.header = CounterResetHeader.COUNTER_RESET;
      return r;
    }
    if (StaleNaN.is(h.sum)) {
      r.ok = true;
      return r;
    }
    if (StaleNaN.is(Double.longBitsToDouble(sumBits))) {
      r.header = CounterResetHeader.UNKNOWN;
      return r;
    }
    if (Long.compareUnsigned(h.count, cnt) < 0) {
      r.header = CounterResetHeader.COUNTER_RESET;
      return r;
    }
    if (h.schema != layout.schema || h.zeroThreshold != layout.zeroThreshold) {
      r.header = CounterResetHeader.UNKNOWN;
      return r;
    }
    if (h.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA
        && !layout.sameCustomValues(h.customValues)) {
      r.header = CounterResetHeader.COUNTER_RESET;
      return r;
    }
    if (Long.compareUnsigned(h.zeroCount, zCnt) < 0) {
      r.header = CounterResetHeader.COUNTER_RESET;
      return r;
    }
    if (SpanExpansion.sameSpans(layout.positiveSpans, h.positiveSpans)
        && SpanExpansion.sameSpans(layout.negativeSpans, h.negativeSpans)) {
      // Fast path of expandIntSpansAndBuckets: same layout, so only a bucket decrease matters.
      if (decreased(pBuckets, h.positiveBuckets) || decreased(nBuckets, h.negativeBuckets)) {
        r.header = CounterResetHeader.COUNTER_RESET;
        return r;
      }
      r.ok = true;
      return r;
    }
    r.positive = SpanExpansion.expandInt(layout.positiveSpans, h.positiveSpans, pBuckets, h.positiveBuckets);
    r.negative = SpanExpansion.expandInt(layout.negativeSpans, h.negativeSpans, nBuckets, h.negativeBuckets);
    if (r.positive == null || r.negative == null) {
      r.positive = null;
      r.negative = null;
      r.header = CounterResetHeader.COUNTER_RESET;
      return r;
    }
    r.ok = true;
    return r;
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

  /** Prometheus's {@code appendableGauge} without the span expansion. */
  private boolean appendableGauge(Histogram h) {
    if (chunk.numSamples() > 0 && chunk.counterResetHeader() != CounterResetHeader.GAUGE) {
      return false;
    }
    if (StaleNaN.is(h.sum)) {
      return true;
    }
    if (StaleNaN.is(Double.longBitsToDouble(sumBits))) {
      return false;
    }
    if (h.schema != layout.schema || h.zeroThreshold != layout.zeroThreshold) {
      return false;
    }
    return h.schema != HistogramLayout.CUSTOM_BUCKETS_SCHEMA
        || layout.sameCustomValues(h.customValues);
  }

  /** Re-encodes this chunk with the wider layout; the returned appender continues it. */
  private HistogramAppender recode(
      SpanExpansion.Result pos, SpanExpansion.Result neg, Span[] posSpans, Span[] negSpans) {
    HistogramChunkIterator it = new HistogramChunkIterator();
    it.reset(chunk.raw(), 0, chunk.length());
    // The wider layout adds a few bits per sample: start with room for the old chunk and a quarter.
    HistogramAppender next = new HistogramAppender(
        HistogramChunk.newChunk(ChunkEncoding.HISTOGRAM, chunk.length() + (chunk.length() >>> 2)));
    next.recoded = true;
    int np = HistogramLayout.countBuckets(posSpans);
    int nn = HistogramLayout.countBuckets(negSpans);
    // One decoded and one widened sample, reused for every sample (write copies what it keeps).
    Histogram read = new Histogram();
    Histogram widened = new Histogram();
    long[] pBuf = null;
    long[] nBuf = null;
    while (it.next() != dev.kiln.tsdb.storage.ValueType.NONE) {
      Histogram old = it.atHistogram(read);
      if (!StaleNaN.is(old.sum)) {
        widened.counterResetHint = old.counterResetHint;
        widened.schema = old.schema;
        widened.zeroThreshold = old.zeroThreshold;
        widened.zeroCount = old.zeroCount;
        widened.count = old.count;
        widened.sum = old.sum;
        widened.customValues = old.customValues;
        widened.positiveSpans = posSpans;
        widened.negativeSpans = negSpans;
        widened.positiveBuckets = old.positiveBuckets;
        widened.negativeBuckets = old.negativeBuckets;
        if (pos != null && !pos.forward.isEmpty()) {
          widened.positiveBuckets = pBuf = SpanExpansion.insertDeltas(old.positiveBuckets, np, pos.forward, pBuf);
        }
        if (neg != null && !neg.forward.isEmpty()) {
          widened.negativeBuckets = nBuf = SpanExpansion.insertDeltas(old.negativeBuckets, nn, neg.forward, nBuf);
        }
        old = widened;
      }
      next.write(it.atT(), old);
    }
    next.chunk.setCounterResetHeader(chunk.counterResetHeader());
    return next;
  }

  /** Prometheus's {@code appendHistogram}: encodes one sample with the current layout. */
  void write(long t, Histogram h) {
    BitWriter w = chunk.writer;
    int num = chunk.numSamples();
    boolean stale = StaleNaN.is(h.sum);
    long count = stale ? 0 : h.count;
    long zeroCount = stale ? 0 : h.zeroCount;
    long[] pb = stale ? HistogramLayout.NO_LONGS : h.positiveBuckets;
    long[] nb = stale ? HistogramLayout.NO_LONGS : h.negativeBuckets;
    long sum = Double.doubleToRawLongBits(h.sum);
    long tD = 0;
    long cD = 0;
    long zD = 0;
    if (num == 0) {
      layout =
          stale
              ? new HistogramLayout(
                  0, 0, HistogramLayout.NO_SPANS, HistogramLayout.NO_SPANS, HistogramLayout.NO_VALUES)
              : new HistogramLayout(
                  h.schema,
                  h.zeroThreshold,
                  h.positiveSpans.clone(),
                  h.negativeSpans.clone(),
                  h.customValues == null ? HistogramLayout.NO_VALUES : h.customValues.clone());
      layout.write(w);
      pBuckets = new long[layout.positiveBuckets];
      nBuckets = new long[layout.negativeBuckets];
      pBucketsDelta = new long[layout.positiveBuckets];
      nBucketsDelta = new long[layout.negativeBuckets];
      Varbit.putInt(w, t);
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
      tD = t - this.t;
      cD = count - cnt;
      zD = zeroCount - zCnt;
      long tDod = tD - tDelta;
      long cDod = cD - cntDelta;
      long zDod = zD - zCntDelta;
      if (stale) {
        cDod = 0;
        zDod = 0;
      }
      Varbit.putInt(w, tDod);
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
    this.t = t;
    cnt = count;
    zCnt = zeroCount;
    tDelta = tD;
    cntDelta = cD;
    zCntDelta = zD;
    System.arraycopy(pb, 0, pBuckets, 0, pb.length);
    System.arraycopy(nb, 0, nBuckets, 0, nb.length);
    sumBits = sum;
  }
}
