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
    for (Span s : h.negativeSpans) {
      b.addNegativeSpans(span(s));
    }
    for (long d : h.negativeBuckets) {
      b.addNegativeDeltas(d);
    }
    for (Span s : h.positiveSpans) {
      b.addPositiveSpans(span(s));
    }
    for (long d : h.positiveBuckets) {
      b.addPositiveDeltas(d);
    }
    if (h.customValues != null) {
      for (double v : h.customValues) {
        b.addCustomValues(v);
      }
    }
    return b.build();
  }

  public static dev.kiln.server.remotewrite.proto.v1.Histogram of(long t, FloatHistogram h) {
    var b = dev.kiln.server.remotewrite.proto.v1.Histogram.newBuilder()
        .setCountFloat(h.count).setSum(h.sum).setSchema(h.schema).setZeroThreshold(h.zeroThreshold)
        .setZeroCountFloat(h.zeroCount).setResetHint(h.counterResetHint.ordinal()).setTimestamp(t);
    for (Span s : h.negativeSpans) {
      b.addNegativeSpans(span(s));
    }
    for (double c : h.negativeBuckets) {
      b.addNegativeCounts(c);
    }
    for (Span s : h.positiveSpans) {
      b.addPositiveSpans(span(s));
    }
    for (double c : h.positiveBuckets) {
      b.addPositiveCounts(c);
    }
    if (h.customValues != null) {
      for (double v : h.customValues) {
        b.addCustomValues(v);
      }
    }
    return b.build();
  }

  private static BucketSpan span(Span s) {
    return BucketSpan.newBuilder().setOffset(s.offset()).setLength(s.length()).build();
  }
}
