package dev.kiln.server.otlp;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Schemas;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP histogram data points as native histograms, as Prometheus's {@code histograms.go}: an
 * exponential histogram keeps its scale (capped at 8 by merging buckets; below −4 it cannot be
 * converted) and becomes an integer histogram with zero threshold 1e-128; with
 * {@code convert_histograms_to_nhcb} an explicit-bucket histogram becomes a histogram with custom
 * buckets (schema −53) whose bounds are the explicit bounds. The reset hint is always unknown
 * (delta temporality never reaches here). "No recorded value" becomes the staleness marker in the
 * sum (and, as Prometheus writes it, in the count). Stateless.
 */
final class NativeHistograms {
  static final double ZERO_THRESHOLD = 1e-128;

  private NativeHistograms() {}

  /** An exponential histogram point; throws for scales below −4. */
  static Histogram exponential(ExponentialHistogramDataPoint p) throws InvalidHistogramException {
    int scale = p.getScale();
    if (scale < Schemas.EXPONENTIAL_MIN) {
      throw new InvalidHistogramException("cannot convert exponential to native histogram. Scale must be >= -4, was " + scale);
    }
    int scaleDown = 0;
    if (scale > Schemas.EXPONENTIAL_MAX) {
      scaleDown = scale - Schemas.EXPONENTIAL_MAX;
      scale = Schemas.EXPONENTIAL_MAX;
    }
    Histogram h = new Histogram();
    h.counterResetHint = CounterResetHint.UNKNOWN;
    h.schema = scale;
    h.zeroThreshold = ZERO_THRESHOLD;
    h.zeroCount = p.getZeroCount();
    Layout pos = layout(p.getPositive().getBucketCountsList(), p.getPositive().getOffset(), scaleDown, true);
    Layout neg = layout(p.getNegative().getBucketCountsList(), p.getNegative().getOffset(), scaleDown, true);
    h.positiveSpans = pos.spans;
    h.positiveBuckets = pos.deltas;
    h.negativeSpans = neg.spans;
    h.negativeBuckets = neg.deltas;
    countAndSum(h, (p.getFlags() & 1) != 0, p.getCount(), p.hasSum(), p.getSum());
    return h;
  }

  /** An explicit-bucket histogram point as a native histogram with custom buckets. */
  static Histogram customBuckets(HistogramDataPoint p) {
    List<Long> buckets = p.getBucketCountsList();
    int offset = 0;
    while (offset < buckets.size() && buckets.get(offset) == 0) {
      offset++;
    }
    Layout pos = layout(buckets.subList(offset, buckets.size()), offset, 0, false);
    Histogram h = new Histogram();
    h.counterResetHint = CounterResetHint.UNKNOWN;
    h.schema = Schemas.CUSTOM_BUCKETS;
    h.positiveSpans = pos.spans;
    h.positiveBuckets = pos.deltas;
    double[] bounds = new double[p.getExplicitBoundsCount()];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = p.getExplicitBounds(i);
    }
    h.customValues = bounds;
    countAndSum(h, (p.getFlags() & 1) != 0, p.getCount(), p.hasSum(), p.getSum());
    return h;
  }

  private static void countAndSum(Histogram h, boolean noRecordedValue, long count, boolean hasSum, double sum) {
    if (noRecordedValue) {
      h.sum = StaleNaN.VALUE;
      h.count = StaleNaN.BITS;
    } else {
      h.sum = hasSum ? sum : 0;
      h.count = count;
    }
  }

  /** Sparse spans and delta-encoded counts of one side. */
  record Layout(Span[] spans, long[] deltas) {}

  private static final Layout EMPTY = new Layout(new Span[0], new long[0]);

  /**
   * Prometheus's {@code convertBucketsLayout} (after client_golang's {@code makeBuckets}): dense
   * OTLP bucket counts to sparse spans and delta counts, merging {@code 2^scaleDown} buckets into
   * one and starting a new span after a gap of more than two empty buckets. With
   * {@code adjustOffset}, OTLP's bucket index 0, (1, base], becomes Prometheus's index 1.
   */
  static Layout layout(List<Long> counts, int offset, int scaleDown, boolean adjustOffset) {
    if (counts.isEmpty()) {
      return EMPTY;
    }
    List<int[]> spans = new ArrayList<>(); // {offset, length}
    List<Long> deltas = new ArrayList<>();
    long[] prev = {0};
    int bucketIdx = (offset >> scaleDown) + 1;
    spans.add(new int[] {adjustOffset ? (offset >> scaleDown) + 1 : offset, 0});
    long count = 0;
    for (int i = 0; i < counts.size(); i++) {
      int next = ((i + offset) >> scaleDown) + 1;
      if (bucketIdx == next) {
        count += counts.get(i);
        continue;
      }
      if (count == 0) {
        count = counts.get(i);
        continue;
      }
      gapThenDelta(spans, deltas, prev, next - bucketIdx - 1, count);
      count = counts.get(i);
      bucketIdx = next;
    }
    int gap = ((counts.size() + offset - 1) >> scaleDown) + 1 - bucketIdx;
    gapThenDelta(spans, deltas, prev, gap, count);
    Span[] s = new Span[spans.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = new Span(spans.get(i)[0], spans.get(i)[1]);
    }
    long[] d = new long[deltas.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = deltas.get(i);
    }
    return new Layout(s, d);
  }

  private static void gapThenDelta(List<int[]> spans, List<Long> deltas, long[] prev, int gap, long count) {
    if (gap > 2) {
      spans.add(new int[] {gap, 0});
    } else {
      for (int j = 0; j < gap; j++) {
        appendDelta(spans, deltas, prev, 0);
      }
    }
    appendDelta(spans, deltas, prev, count);
  }

  private static void appendDelta(List<int[]> spans, List<Long> deltas, long[] prev, long count) {
    spans.get(spans.size() - 1)[1]++;
    deltas.add(count - prev[0]);
    prev[0] = count;
  }
}
