package dev.kiln.server.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cases of Prometheus's {@code TestConvertBucketsLayout} and {@code TestExponentialToNativeHistogram}. */
class NativeHistogramsTest {
  private static List<Long> counts(long... c) {
    return Arrays.stream(c).boxed().toList();
  }

  private static String spans(Span[] s) {
    StringBuilder sb = new StringBuilder();
    for (Span x : s) {
      sb.append('{').append(x.offset()).append(',').append(x.length()).append('}');
    }
    return sb.toString();
  }

  private static void layout(List<Long> counts, int offset, int scaleDown, String wantSpans, long... wantDeltas) {
    NativeHistograms.Layout l = NativeHistograms.layout(counts, offset, scaleDown, true);
    assertEquals(wantSpans, spans(l.spans()), "spans of " + counts + " offset " + offset + " scaled down by " + scaleDown);
    assertArrayEquals(wantDeltas, l.deltas(), "deltas of " + counts + " offset " + offset + " scaled down by " + scaleDown);
  }

  @Test
  void convertBucketsLayout() {
    layout(counts(4, 3, 2, 1), 0, 0, "{1,4}", 4, -1, -1, -1);
    layout(counts(4, 3, 2, 1), 0, 1, "{1,2}", 7, -4);
    layout(counts(4, 3, 2, 1), 0, 2, "{1,1}", 10);
    layout(counts(4, 3, 2, 1), 1, 0, "{2,4}", 4, -1, -1, -1);
    layout(counts(4, 3, 2, 1), 1, 1, "{1,3}", 4, 1, -4);
    layout(counts(4, 3, 2, 1), 1, 2, "{1,2}", 9, -8);
    List<Long> positive = counts(4, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    layout(positive, 4, 0, "{5,4}{12,1}", 4, -2, -2, 2, -1);
    layout(positive, 4, 1, "{3,2}{6,1}", 6, -4, -1);
    layout(positive, 4, 2, "{2,1}{3,1}", 8, -7);
    List<Long> merges = counts(4, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    layout(merges, 4, 0, "{5,4}{8,1}", 4, -2, -2, 2, -1);
    layout(merges, 4, 1, "{3,2}{4,1}", 6, -4, -1);
    layout(merges, 4, 2, "{2,4}", 8, -8, 0, 1);
    layout(counts(3, 1, 0, 0, 0, 1), -2, 0, "{-1,2}{3,1}", 3, -2, 0);
    layout(counts(3, 1, 0, 0, 0, 1), -2, 1, "{0,3}", 4, -4, 1);
    layout(counts(3, 1, 0, 0, 0, 1), -2, 2, "{0,2}", 4, -3);
    layout(counts(3, 1, 0, 1, 0, 1), -2, 0, "{-1,6}", 3, -2, -1, 1, -1, 1);
    layout(counts(3, 1, 0, 1, 0, 1), -2, 1, "{0,3}", 4, -3, 0);
    layout(counts(3, 1, 0, 1, 0, 1), -2, 2, "{0,2}", 4, -2);
    layout(counts(3, 0, 0, 1, 0, 0, 1), -2, 0, "{-1,7}", 3, -3, 0, 1, -1, 0, 1);
    layout(counts(3, 0, 0, 1, 0, 0, 1), -2, 1, "{0,4}", 3, -2, -1, 1);
    layout(counts(3, 0, 0, 1, 0, 0, 1), -2, 2, "{0,3}", 3, -2, 0);
    layout(counts(), 0, 0, "");
  }

  private static ExponentialHistogramDataPoint.Builder point(int scale, long count, long zero, int posOffset, List<Long> pos, int negOffset,
      List<Long> neg) {
    ExponentialHistogramDataPoint.Builder b = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(500_000_000L).setCount(count)
        .setScale(scale).setZeroCount(zero);
    b.getPositiveBuilder().setOffset(posOffset).addAllBucketCounts(pos);
    b.getNegativeBuilder().setOffset(negOffset).addAllBucketCounts(neg);
    return b;
  }

  @Test
  void exponentialToNativeHistogram() throws Exception {
    Histogram h = NativeHistograms.exponential(point(1, 4, 1, 1, counts(1, 1), 1, counts(1, 1)).setSum(10.1).build());
    assertEquals(1, h.schema);
    assertEquals(4, h.count);
    assertEquals(10.1, h.sum);
    assertEquals(1e-128, h.zeroThreshold);
    assertEquals(1, h.zeroCount);
    assertEquals("{2,2}", spans(h.positiveSpans));
    assertArrayEquals(new long[] {1, 0}, h.positiveBuckets);
    assertEquals("{2,2}", spans(h.negativeSpans));
    assertArrayEquals(new long[] {1, 0}, h.negativeBuckets);

    Histogram noSum = NativeHistograms.exponential(point(1, 4, 1, 1, counts(1, 1), 1, counts(1, 1)).build());
    assertEquals(0.0, noSum.sum);

    Histogram at8 = NativeHistograms.exponential(point(8, 6, 1, 1, counts(1, 1, 1), 2, counts(1, 1, 1)).setSum(10.1).build());
    assertEquals(8, at8.schema);
    assertEquals("{2,3}", spans(at8.positiveSpans));
    assertArrayEquals(new long[] {1, 0, 0}, at8.positiveBuckets);
    assertEquals("{3,3}", spans(at8.negativeSpans));

    Histogram down = NativeHistograms.exponential(point(9, 6, 1, 1, counts(1, 1, 1), 2, counts(1, 1, 1)).setSum(10.1).build());
    assertEquals(8, down.schema);
    assertEquals("{1,2}", spans(down.positiveSpans));
    assertArrayEquals(new long[] {1, 1}, down.positiveBuckets);
    assertEquals("{2,2}", spans(down.negativeSpans));
    assertArrayEquals(new long[] {2, -1}, down.negativeBuckets);

    InvalidHistogramException e = assertThrows(InvalidHistogramException.class,
        () -> NativeHistograms.exponential(ExponentialHistogramDataPoint.newBuilder().setScale(-10).build()));
    assertEquals("cannot convert exponential to native histogram. Scale must be >= -4, was -10", e.getMessage());
  }

  @Test
  void noRecordedValueIsAStaleMarker() throws Exception {
    Histogram h = NativeHistograms.exponential(point(1, 4, 1, 1, counts(1, 1), 1, counts(1, 1)).setSum(3).setFlags(1).build());
    assertTrue(StaleNaN.is(h.sum));
    h.validate();
  }

  @Test
  void explicitBucketsBecomeCustomBuckets() {
    // TestTemporality's createOtelExplicitHistogram / createPromNHCBSeries.
    Histogram h = NativeHistograms.customBuckets(HistogramDataPoint.newBuilder().setCount(20).setSum(30)
        .addAllBucketCounts(List.of(10L, 10L, 0L)).addAllExplicitBounds(List.of(1.0, 2.0)).build());
    assertEquals(-53, h.schema);
    assertEquals(20, h.count);
    assertEquals(30.0, h.sum);
    assertEquals("{0,3}", spans(h.positiveSpans));
    assertArrayEquals(new long[] {10, 0, -10}, h.positiveBuckets);
    assertArrayEquals(new double[] {1, 2}, h.customValues);
    assertEquals(0, h.zeroThreshold);
    h.validate();
    Histogram leadingEmpty = NativeHistograms.customBuckets(HistogramDataPoint.newBuilder().setCount(3)
        .addAllBucketCounts(List.of(0L, 0L, 3L)).addAllExplicitBounds(List.of(1.0, 2.0)).build());
    assertEquals("{2,1}", spans(leadingEmpty.positiveSpans));
    assertArrayEquals(new long[] {3}, leadingEmpty.positiveBuckets);
    leadingEmpty.validate();
  }
}
