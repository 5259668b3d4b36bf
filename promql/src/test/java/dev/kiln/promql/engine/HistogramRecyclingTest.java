package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.RangeSeries;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Histogram results that a consumer only reads (a sum, histogram_quantile) are recycled for the
 * next series, and a summed rate is left uncompacted: each such query gives exactly what the same
 * query gives when an operator in between ({@code * 1}) keeps every result, layouts included.
 * Series have different and growing bucket layouts and counter resets. Seeded; the seed is in
 * every failure message.
 */
class HistogramRecyclingTest {
  private static final String[][] PAIRS = {
    {"sum(rate(x[5m]))", "sum(rate(x[5m]) * 1)"},
    {"sum by (k) (increase(x[3m]))", "sum by (k) (increase(x[3m]) * 1)"},
    {"avg(rate(x[5m]))", "avg(rate(x[5m]) * 1)"},
    {"sum(delta(x[5m]))", "sum(delta(x[5m]) * 1)"},
    {"sum(irate(x[2m]))", "sum(irate(x[2m]) * 1)"},
    {"histogram_quantile(0.9, rate(x[5m]))", "histogram_quantile(0.9, rate(x[5m]) * 1)"},
    {"histogram_fraction(0, 4, rate(x[5m]))", "histogram_fraction(0, 4, rate(x[5m]) * 1)"},
    {"histogram_quantile(0.5, sum by (k) (rate(x[5m])))", "histogram_quantile(0.5, sum by (k) (rate(x[5m]) * 1))"},
    {"last_over_time(rate(x[5m])[10m:1m])", "last_over_time((rate(x[5m]) * 1)[10m:1m])"},
    {"sum(last_over_time(rate(x[5m])[10m:1m]))", "sum(last_over_time((rate(x[5m]) * 1)[10m:1m]))"},
    {"rate(x[5m])", "rate(x[5m]) * 1"},
  };

  private static Head head;
  private static long seed;

  @BeforeAll
  static void load() {
    seed = Long.getLong("test.seed", System.nanoTime());
    Random r = new Random(seed);
    head = Head.inMemory();
    Appender a = head.appender();
    for (int s = 0; s < 40; s++) {
      Labels l = Labels.of("__name__", "x", "k", Integer.toString(s % 3), "s", Integer.toString(s));
      TreeMap<Integer, Long> buckets = new TreeMap<>();
      long count = 0;
      double sum = 0;
      int center = r.nextInt(20) - 10;
      for (long t = r.nextInt(15_000); t < 3_600_000; t += 15_000) {
        if (r.nextInt(60) == 0) {
          buckets.clear();
          count = 0;
          sum = 0;
        }
        for (int k = 0; k < 1 + r.nextInt(8); k++) {
          int idx = center + (int) Math.round(r.nextGaussian() * 6);
          buckets.merge(idx, 1L, Long::sum);
          count++;
          sum += Math.pow(2, idx / 4.0);
        }
        a.appendHistogram(0, l, t, histogram(buckets, count, sum), null, AppendOptions.NONE);
      }
    }
    a.commit();
  }

  private static Histogram histogram(TreeMap<Integer, Long> buckets, long count, double sum) {
    Histogram h = new Histogram();
    h.schema = 2;
    h.zeroThreshold = 1e-128;
    h.count = count;
    h.sum = sum;
    List<Span> spans = new ArrayList<>();
    long[] deltas = new long[buckets.size()];
    int n = 0;
    int prevIdx = 0;
    long prev = 0;
    int spanLen = 0;
    int spanOffset = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      int idx = e.getKey();
      if (n == 0) {
        spanOffset = idx;
      } else if (idx != prevIdx + 1) {
        spans.add(new Span(spanOffset, spanLen));
        spanOffset = idx - prevIdx - 1;
        spanLen = 0;
      }
      spanLen++;
      deltas[n++] = e.getValue() - prev;
      prev = e.getValue();
      prevIdx = idx;
    }
    if (spanLen > 0) {
      spans.add(new Span(spanOffset, spanLen));
    }
    h.positiveSpans = spans.toArray(new Span[0]);
    h.positiveBuckets = deltas;
    return h;
  }

  @AfterAll
  static void close() {
    head.close();
  }

  @Test
  void recycledAndUncompactedResultsEqualKeptOnes() {
    Engine engine = new Engine(EngineOptions.DEFAULTS);
    for (String[] pair : PAIRS) {
      String where = pair[0] + ", seed " + seed;
      String got = render((Matrix) engine.rangeQuery(head, QueryOptions.DEFAULTS, pair[0], 600_000, 3_600_000, 30_000)
          .exec().value());
      String want = render((Matrix) engine.rangeQuery(head, QueryOptions.DEFAULTS, pair[1], 600_000, 3_600_000, 30_000)
          .exec().value());
      assertTrue(want.length() > 1000, "no result for " + where);
      assertEquals(want, got, where);
    }
  }

  /** Every point exactly: float bits, and each histogram's text with its spans (so its layout). */
  private static String render(Matrix m) {
    StringBuilder sb = new StringBuilder();
    for (RangeSeries s : m.series()) {
      sb.append(s.labels().without(List.of("__name__")));
      for (int i = 0; i < s.count(); i++) {
        sb.append(' ').append(s.timestampAt(i)).append('=').append(Double.doubleToRawLongBits(s.valueAt(i)));
      }
      for (int i = 0; i < s.histogramCount(); i++) {
        FloatHistogram h = s.histogramAt(i);
        sb.append(' ').append(s.histogramTimestampAt(i)).append('=').append(h)
            .append(Arrays.toString(h.positiveSpans)).append(Arrays.toString(h.negativeSpans));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
