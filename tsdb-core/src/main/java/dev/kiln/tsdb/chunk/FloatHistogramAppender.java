package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import java.util.Arrays;
import java.util.List;

/**
 * Appends float histograms to a float-histogram {@link HistogramChunk}, following Prometheus's
 * {@code FloatHistogramAppender.AppendFloatHistogram} ({@code tsdb/chunkenc/float_histogram.go});
 * the rules are those of {@link HistogramAppender}. Single-thread.
 */
public final class FloatHistogramAppender
    extends AbstractHistogramAppender<FloatHistogram, FloatHistogramAppender> {
  /** Bits of count, zero count and sum (indices 0..2), then positive and negative buckets. */
  private long[] values = new long[3];
  private int[] windows = new int[3];

  private FloatHistogramAppender(HistogramChunk chunk) {
    super(chunk);
  }

  /** A fresh appender for a new empty chunk. */
  public static FloatHistogramAppender create() {
    return new FloatHistogramAppender(HistogramChunk.newFloatHistogramChunk());
  }

  static FloatHistogramAppender continuing(HistogramChunk c) {
    return new FloatHistogramAppender(c).continueStored();
  }

  /** As {@link HistogramAppender#append}, for float histograms. */
  public FloatHistogramAppender append(FloatHistogramAppender prev, long t, FloatHistogram h) {
    return appendSample(prev, t, h);
  }

  @Override
  FloatHistogramAppender newAppender() {
    return create();
  }

  @Override
  AbstractHistogramChunkIterator newIterator() {
    return new FloatHistogramChunkIterator();
  }

  @Override
  FloatHistogram decoded(SampleIterator it, FloatHistogram reuse) {
    return it.atFloatHistogram(reuse);
  }

  @Override
  FloatHistogram widened(FloatHistogram from, FloatHistogram into, Span[] positive, Span[] negative, List<SpanExpansion.Insert> positiveInserts,
      List<SpanExpansion.Insert> negativeInserts) {
    FloatHistogram w = into != null ? into : new FloatHistogram();
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

  private static double[] widenedBuckets(double[] from, double[] reuse, Span[] spans, List<SpanExpansion.Insert> inserts) {
    int n = HistogramLayout.countBuckets(spans);
    if (inserts == null || inserts.isEmpty()) {
      double[] out = reuse != null && reuse.length == from.length && reuse != from ? reuse : new double[from.length];
      System.arraycopy(from, 0, out, 0, from.length);
      return out;
    }
    return SpanExpansion.insertCounts(from, n, inserts, reuse);
  }

  @Override
  CounterResetHint hint(FloatHistogram h) {
    return h.counterResetHint;
  }

  @Override
  double sum(FloatHistogram h) {
    return h.sum;
  }

  @Override
  int schema(FloatHistogram h) {
    return h.schema;
  }

  @Override
  double zeroThreshold(FloatHistogram h) {
    return h.zeroThreshold;
  }

  @Override
  double[] customValues(FloatHistogram h) {
    return h.customValues;
  }

  @Override
  Span[] positiveSpans(FloatHistogram h) {
    return h.positiveSpans;
  }

  @Override
  Span[] negativeSpans(FloatHistogram h) {
    return h.negativeSpans;
  }

  @Override
  void setSpans(FloatHistogram h, Span[] positive, Span[] negative) {
    h.positiveSpans = positive;
    h.negativeSpans = negative;
  }

  @Override
  void insertBuckets(FloatHistogram h, List<SpanExpansion.Insert> positive, List<SpanExpansion.Insert> negative) {
    if (positive != null && !positive.isEmpty()) {
      h.positiveBuckets =
          SpanExpansion.insertCounts(h.positiveBuckets, HistogramLayout.countBuckets(h.positiveSpans), positive);
    }
    if (negative != null && !negative.isEmpty()) {
      h.negativeBuckets =
          SpanExpansion.insertCounts(h.negativeBuckets, HistogramLayout.countBuckets(h.negativeSpans), negative);
    }
  }

  private double value(int i) {
    return Double.longBitsToDouble(values[i]);
  }

  @Override
  boolean previousSumStale() {
    return StaleNaN.is(value(2));
  }

  @Override
  boolean countDecreased(FloatHistogram h) {
    return h.count < value(0);
  }

  @Override
  boolean zeroCountDecreased(FloatHistogram h) {
    return h.zeroCount < value(1);
  }

  @Override
  boolean bucketsDecreased(FloatHistogram h) {
    int np = layout.positiveBuckets;
    for (int i = 0; i < np; i++) {
      if (value(3 + i) > h.positiveBuckets[i]) {
        return true;
      }
    }
    for (int i = 0; i < layout.negativeBuckets; i++) {
      if (value(3 + np + i) > h.negativeBuckets[i]) {
        return true;
      }
    }
    return false;
  }

  @Override
  void expand(Verdict v, FloatHistogram h) {
    int np = layout.positiveBuckets;
    double[] pOld = new double[np];
    double[] nOld = new double[layout.negativeBuckets];
    for (int i = 0; i < np; i++) {
      pOld[i] = value(3 + i);
    }
    for (int i = 0; i < nOld.length; i++) {
      nOld[i] = value(3 + np + i);
    }
    v.positive = SpanExpansion.expandFloat(layout.positiveSpans, h.positiveSpans, pOld, h.positiveBuckets);
    v.negative = SpanExpansion.expandFloat(layout.negativeSpans, h.negativeSpans, nOld, h.negativeBuckets);
  }

  @Override
  CounterResetHeader headerAfterGaugeChunk() {
    return CounterResetHeader.UNKNOWN;
  }

  @Override
  CounterResetHeader headerOfContinuation(CounterResetHeader verdict) {
    return verdict == CounterResetHeader.COUNTER_RESET
        ? CounterResetHeader.COUNTER_RESET
        : CounterResetHeader.NOT_COUNTER_RESET;
  }

  /** Prometheus's {@code appendFloatHistogram}. */
  @Override
  void write(long t, FloatHistogram h) {
    BitWriter w = chunk.writer;
    int num = chunk.numSamples();
    boolean stale = StaleNaN.is(h.sum);
    double[] pb = stale ? HistogramLayout.NO_VALUES : h.positiveBuckets;
    double[] nb = stale ? HistogramLayout.NO_VALUES : h.negativeBuckets;
    if (num == 0) {
      startLayout(w, stale, h);
      int n = 3 + layout.positiveBuckets + layout.negativeBuckets;
      values = new long[n];
      windows = new int[n];
      Arrays.fill(windows, XorValues.NO_WINDOW);
      writeTime(w, num, t);
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
      writeTime(w, num, t);
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
