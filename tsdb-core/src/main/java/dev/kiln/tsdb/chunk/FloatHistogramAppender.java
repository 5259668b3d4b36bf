package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.ValueType;
import java.util.Arrays;

/**
 * Appends float histograms to a float-histogram {@link HistogramChunk}, following Prometheus's
 * {@code FloatHistogramAppender.AppendFloatHistogram} ({@code tsdb/chunkenc/float_histogram.go});
 * the rules are those of {@link HistogramAppender}. Single-thread.
 */
public final class FloatHistogramAppender {
  private final HistogramChunk chunk;
  private boolean recoded;
  /** The outcome of the last appendability check, reused from sample to sample. */
  private final Appendable check = new Appendable();

  private HistogramLayout layout;
  private long t = Long.MIN_VALUE;
  private long tDelta;
  /** Bits of count, zero count and sum (indices 0..2), then positive and negative buckets. */
  private long[] values = new long[3];
  private int[] windows = new int[3];

  private FloatHistogramAppender(HistogramChunk chunk) {
    this.chunk = chunk;
  }

  /** A fresh appender for a new empty chunk. */
  public static FloatHistogramAppender create() {
    return new FloatHistogramAppender(HistogramChunk.newFloatHistogramChunk());
  }

  static FloatHistogramAppender continuing(HistogramChunk c) {
    FloatHistogramAppender a = new FloatHistogramAppender(c);
    if (!c.live()) {
      CounterResetHeader header = c.counterResetHeader();
      FloatHistogramChunkIterator it = new FloatHistogramChunkIterator();
      byte[] old = c.bytes();
      it.reset(old, 0, old.length);
      c.resetWriter(header);
      FloatHistogram read = new FloatHistogram();
      while (it.next() != ValueType.NONE) {
        a.write(it.atT(), it.atFloatHistogram(read));
      }
    } else if (c.numSamples() > 0) {
      throw new IllegalStateException("a live histogram chunk has its appender already");
    }
    return a;
  }

  public HistogramChunk chunk() {
    return chunk;
  }

  /** Whether this appender's chunk replaced the previous chunk by re-encoding it. */
  public boolean recoded() {
    return recoded;
  }

  public int numSamples() {
    return chunk.numSamples();
  }

  /** As {@link HistogramAppender#append}, for float histograms. */
  public FloatHistogramAppender append(FloatHistogramAppender prev, long t, FloatHistogram h) {
    if (chunk.numSamples() == 0) {
      write(t, h);
      if (h.counterResetHint == CounterResetHint.GAUGE) {
        chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
      } else if (h.counterResetHint == CounterResetHint.COUNTER_RESET) {
        chunk.setCounterResetHeader(CounterResetHeader.COUNTER_RESET);
      } else if (prev != null) {
        chunk.setCounterResetHeader(
            prev.appendable(h).reset
                ? CounterResetHeader.COUNTER_RESET
                : CounterResetHeader.NOT_COUNTER_RESET);
      }
      return this;
    }
    if (h.counterResetHint != CounterResetHint.GAUGE) {
      Appendable ap = appendable(h);
      if (!ap.ok || ap.reset) {
        FloatHistogramAppender next = create();
        if (ap.reset) {
          next.chunk.setCounterResetHeader(CounterResetHeader.COUNTER_RESET);
        }
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
        FloatHistogramAppender next = recode(pos, neg, h.positiveSpans, h.negativeSpans);
        next.write(t, h);
        return next;
      }
      write(t, h);
      return this;
    }
    if (!appendableGauge(h)) {
      FloatHistogramAppender next = create();
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
      FloatHistogramAppender next = recode(pos, neg, h.positiveSpans, h.negativeSpans);
      next.write(t, h);
      return next;
    }
    write(t, h);
    return this;
  }

  private static void insertIntoSample(
      FloatHistogram h, SpanExpansion.Result pos, SpanExpansion.Result neg) {
    if (pos != null && !pos.backward.isEmpty()) {
      h.positiveBuckets =
          SpanExpansion.insertCounts(
              h.positiveBuckets, HistogramLayout.countBuckets(h.positiveSpans), pos.backward);
    }
    if (neg != null && !neg.backward.isEmpty()) {
      h.negativeBuckets =
          SpanExpansion.insertCounts(
              h.negativeBuckets, HistogramLayout.countBuckets(h.negativeSpans), neg.backward);
    }
  }

  private static final class Appendable {
    boolean ok;
    boolean reset;
    SpanExpansion.Result positive;
    SpanExpansion.Result negative;
  }

  private double value(int i) {
    return Double.longBitsToDouble(values[i]);
  }

  private Appendable appendable(FloatHistogram h) {
    Appendable r = check;
    r.ok = false;
    r.reset = false;
    r.positive = null;
    r.negative = null;
    if (chunk.numSamples() > 0 && chunk.counterResetHeader() == CounterResetHeader.GAUGE) {
      return r;
    }
    if (h.counterResetHint == CounterResetHint.COUNTER_RESET) {
      r.reset = true;
      return r;
    }
    if (StaleNaN.is(h.sum)) {
      r.ok = true;
      return r;
    }
    if (StaleNaN.is(value(2))) {
      return r;
    }
    if (h.count < value(0)) {
      r.reset = true;
      return r;
    }
    if (h.schema != layout.schema || h.zeroThreshold != layout.zeroThreshold) {
      return r;
    }
    if (h.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA
        && !layout.sameCustomValues(h.customValues)) {
      r.reset = true;
      return r;
    }
    if (h.zeroCount < value(1)) {
      r.reset = true;
      return r;
    }
    int np = layout.positiveBuckets;
    if (SpanExpansion.sameSpans(layout.positiveSpans, h.positiveSpans)
        && SpanExpansion.sameSpans(layout.negativeSpans, h.negativeSpans)) {
      // Same layout: compare against the last sample's counts where they are kept, no copy.
      for (int i = 0; i < np; i++) {
        if (value(3 + i) > h.positiveBuckets[i]) {
          r.reset = true;
          return r;
        }
      }
      for (int i = 0; i < layout.negativeBuckets; i++) {
        if (value(3 + np + i) > h.negativeBuckets[i]) {
          r.reset = true;
          return r;
        }
      }
      r.ok = true;
      return r;
    }
    double[] pOld = new double[np];
    double[] nOld = new double[layout.negativeBuckets];
    for (int i = 0; i < np; i++) {
      pOld[i] = value(3 + i);
    }
    for (int i = 0; i < nOld.length; i++) {
      nOld[i] = value(3 + np + i);
    }
    if (SpanExpansion.sameSpans(layout.positiveSpans, h.positiveSpans)
        && SpanExpansion.sameSpans(layout.negativeSpans, h.negativeSpans)) {
      if (decreased(pOld, h.positiveBuckets) || decreased(nOld, h.negativeBuckets)) {
        r.reset = true;
        return r;
      }
      r.ok = true;
      return r;
    }
    r.positive = SpanExpansion.expandFloat(layout.positiveSpans, h.positiveSpans, pOld, h.positiveBuckets);
    r.negative = SpanExpansion.expandFloat(layout.negativeSpans, h.negativeSpans, nOld, h.negativeBuckets);
    if (r.positive == null || r.negative == null) {
      r.positive = null;
      r.negative = null;
      r.reset = true;
      return r;
    }
    r.ok = true;
    return r;
  }

  private static boolean decreased(double[] old, double[] now) {
    for (int i = 0; i < old.length; i++) {
      if (old[i] > now[i]) {
        return true;
      }
    }
    return false;
  }

  private boolean appendableGauge(FloatHistogram h) {
    if (chunk.numSamples() > 0 && chunk.counterResetHeader() != CounterResetHeader.GAUGE) {
      return false;
    }
    if (StaleNaN.is(h.sum)) {
      return true;
    }
    if (StaleNaN.is(value(2))) {
      return false;
    }
    if (h.schema != layout.schema || h.zeroThreshold != layout.zeroThreshold) {
      return false;
    }
    return h.schema != HistogramLayout.CUSTOM_BUCKETS_SCHEMA
        || layout.sameCustomValues(h.customValues);
  }

  private FloatHistogramAppender recode(
      SpanExpansion.Result pos, SpanExpansion.Result neg, Span[] posSpans, Span[] negSpans) {
    FloatHistogramChunkIterator it = new FloatHistogramChunkIterator();
    it.reset(chunk.raw(), 0, chunk.length());
    // The wider layout adds a few bits per sample: start with room for the old chunk and a quarter.
    FloatHistogramAppender next = new FloatHistogramAppender(
        HistogramChunk.newChunk(ChunkEncoding.FLOAT_HISTOGRAM, chunk.length() + (chunk.length() >>> 2)));
    next.recoded = true;
    int np = HistogramLayout.countBuckets(posSpans);
    int nn = HistogramLayout.countBuckets(negSpans);
    // One decoded and one widened sample, reused for every sample (write copies what it keeps).
    FloatHistogram read = new FloatHistogram();
    FloatHistogram widened = new FloatHistogram();
    double[] pBuf = null;
    double[] nBuf = null;
    while (it.next() != ValueType.NONE) {
      FloatHistogram old = it.atFloatHistogram(read);
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
          widened.positiveBuckets = pBuf = SpanExpansion.insertCounts(old.positiveBuckets, np, pos.forward, pBuf);
        }
        if (neg != null && !neg.forward.isEmpty()) {
          widened.negativeBuckets = nBuf = SpanExpansion.insertCounts(old.negativeBuckets, nn, neg.forward, nBuf);
        }
        old = widened;
      }
      next.write(it.atT(), old);
    }
    next.chunk.setCounterResetHeader(chunk.counterResetHeader());
    return next;
  }

  /** Prometheus's {@code appendFloatHistogram}. */
  void write(long t, FloatHistogram h) {
    BitWriter w = chunk.writer;
    int num = chunk.numSamples();
    boolean stale = StaleNaN.is(h.sum);
    double[] pb = stale ? HistogramLayout.NO_VALUES : h.positiveBuckets;
    double[] nb = stale ? HistogramLayout.NO_VALUES : h.negativeBuckets;
    long tD = 0;
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
      int n = 3 + layout.positiveBuckets + layout.negativeBuckets;
      values = new long[n];
      windows = new int[n];
      Arrays.fill(windows, XorValues.NO_WINDOW);
      Varbit.putInt(w, t);
      put(w, 0, stale ? 0 : h.count);
      put(w, 1, stale ? 0 : h.zeroCount);
      put(w, 2, h.sum);
      for (int i = 0; i < pb.length; i++) {
        put(w, 3 + i, pb[i]);
      }
      for (int i = 0; i < nb.length; i++) {
        put(w, 3 + pb.length + i, nb[i]);
      }
    } else {
      tD = t - this.t;
      Varbit.putInt(w, tD - tDelta);
      xor(w, 0, stale ? 0 : h.count);
      xor(w, 1, stale ? 0 : h.zeroCount);
      xor(w, 2, h.sum);
      int np = layout.positiveBuckets;
      for (int i = 0; i < pb.length; i++) {
        xor(w, 3 + i, pb[i]);
      }
      for (int i = 0; i < nb.length; i++) {
        xor(w, 3 + np + i, nb[i]);
      }
    }
    chunk.setNumSamples(num + 1);
    this.t = t;
    tDelta = tD;
  }

  private void put(BitWriter w, int i, double v) {
    long bits = Double.doubleToRawLongBits(v);
    w.writeBits(bits, 64);
    values[i] = bits;
  }

  private void xor(BitWriter w, int i, double v) {
    long bits = Double.doubleToRawLongBits(v);
    windows[i] = XorValues.write(w, bits, values[i], windows[i]);
    values[i] = bits;
  }
}
