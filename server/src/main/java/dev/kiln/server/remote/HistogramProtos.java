package dev.kiln.server.remote;

import dev.kiln.server.remotewrite.proto.v1.BucketSpan;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;

/**
 * Native histograms as remote write 1.0 / remote read {@code prometheus.Histogram} messages, as
 * Prometheus's {@code prompb.FromIntHistogram} and {@code FromFloatHistogram} build them: an
 * integer histogram with {@code count_int}, {@code zero_count_int} and bucket deltas, a float
 * histogram with {@code count_float}, {@code zero_count_float} and absolute bucket counts; both
 * with the counter-reset hint, custom bucket bounds (schema -53) and the timestamp. Stateless.
 */
public final class HistogramProtos {
  private HistogramProtos() {}

  public static dev.kiln.server.remotewrite.proto.v1.Histogram of(long t, Histogram h) {
    var b = dev.kiln.server.remotewrite.proto.v1.Histogram.newBuilder()
        .setCountInt(h.count).setSum(h.sum).setSchema(h.schema).setZeroThreshold(h.zeroThreshold)
        .setZeroCountInt(h.zeroCount).setResetHint(h.counterResetHint.ordinal()).setTimestamp(t);
    layout(b, h.negativeSpans, h.positiveSpans, h.customValues);
    for (long d : h.negativeBuckets) {
      b.addNegativeDeltas(d);
    }
    for (long d : h.positiveBuckets) {
      b.addPositiveDeltas(d);
    }
    return b.build();
  }

  public static dev.kiln.server.remotewrite.proto.v1.Histogram of(long t, FloatHistogram h) {
    var b = dev.kiln.server.remotewrite.proto.v1.Histogram.newBuilder()
        .setCountFloat(h.count).setSum(h.sum).setSchema(h.schema).setZeroThreshold(h.zeroThreshold)
        .setZeroCountFloat(h.zeroCount).setResetHint(h.counterResetHint.ordinal()).setTimestamp(t);
    layout(b, h.negativeSpans, h.positiveSpans, h.customValues);
    for (double c : h.negativeBuckets) {
      b.addNegativeCounts(c);
    }
    for (double c : h.positiveBuckets) {
      b.addPositiveCounts(c);
    }
    return b.build();
  }

  /** The spans and custom bounds, which integer and float histograms carry alike. */
  private static void layout(dev.kiln.server.remotewrite.proto.v1.Histogram.Builder b, Span[] negative, Span[] positive,
      double[] customValues) {
    for (Span s : negative) {
      b.addNegativeSpans(span(s));
    }
    for (Span s : positive) {
      b.addPositiveSpans(span(s));
    }
    if (customValues != null) {
      for (double v : customValues) {
        b.addCustomValues(v);
      }
    }
  }

  private static BucketSpan span(Span s) {
    return BucketSpan.newBuilder().setOffset(s.offset()).setLength(s.length()).build();
  }
}
