package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryCanceledException;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An engine that decodes large selections on worker threads, and computes selectors' and range
 * functions' per-series values there, gives exactly (bit for bit, in the same order) the results,
 * sample-limit errors and cancellation of the sequential engine.
 */
class ParallelEvaluationTest {
  private static final List<String> QUERIES = List.of(
      "m",
      "sum(m)",
      "sum by (job) (rate(m[2m]))",
      "avg by (i) (m) / on(i) max by (i) (m)",
      "topk(3, rate(m[5m]))",
      "histogram_quantile(0.9, sum by (le) (rate(h[5m])))",
      "count by (job) ({__name__=~\".+\"})",
      "max_over_time(m[3m]) - min_over_time(m[3m])",
      "sum_over_time(rate(m[1m])[5m:30s])",
      "m offset 1m",
      "m @ 900",
      "timestamp(m)",
      "abs(m - 50)",
      "rate(m[5m] @ 900)",
      "increase(m[3m] offset 2m)",
      "predict_linear(m[5m], 60)",
      "deriv(m[4m])",
      "quantile_over_time(0.3, m[5m])",
      "mad_over_time(m[5m])",
      "last_over_time(m[1m])",
      "limitk(2, m)",
      "bottomk by (job) (2, m)",
      "rate(nh[5m])",
      "histogram_count(rate(nh[5m]))",
      "histogram_quantile(0.9, sum(rate(nh[5m])))",
      "histogram_sum(sum by (k) (increase(nh[5m])))",
      "resets(nh[10m])",
      "min by (job) (m)",
      "count by (i) (rate(m[1m]))",
      "stddev by (job) (m)",
      "group by (job) (m)",
      "avg by (job) (rate(m[5m]))",
      "sum(k)",
      "avg by (job) (k)",
      "sum by (job) (rate(k[2m]))",
      "max(k) - min(k)");

  private static Head head;
  private static ExecutorService pool;
  private static long seed;

  @BeforeAll
  static void load() {
    seed = Long.getLong("test.seed", System.nanoTime());
    Random r = new Random(seed);
    head = Head.inMemory();
    pool = Executors.newFixedThreadPool(2);
    Appender a = head.appender();
    // Enough series for several batches, and a last batch that is not full.
    int series = SeriesLoader.BATCH * 4 + 17;
    for (int i = 0; i < series; i++) {
      Labels l = Labels.of("__name__", "m", "job", "j" + (i % 5), "i", Integer.toString(i % 40), "s", Integer.toString(i));
      double v = r.nextInt(100);
      for (long t = r.nextInt(15_000); t < 1_800_000; t += 15_000) {
        v += r.nextInt(10) < 9 ? r.nextDouble() * 10 : -v;
        a.append(0, l, t, v, AppendOptions.NONE);
      }
    }
    // Magnitudes far apart, so any change in the order of a sum would show in its last bits.
    for (int i = 0; i < SeriesLoader.BATCH * 2 + 5; i++) {
      Labels l = Labels.of("__name__", "k", "job", "j" + (i % 3), "s", Integer.toString(i));
      for (long t = r.nextInt(15_000); t < 1_800_000; t += 15_000) {
        double v = r.nextInt(3) == 0 ? (r.nextBoolean() ? 1 : -1) * 1e17 * r.nextDouble() : r.nextDouble();
        a.append(0, l, t, r.nextInt(50) == 0 ? -0.0 : v, AppendOptions.NONE);
      }
    }
    for (String le : new String[] {"0.1", "1", "10", "+Inf"}) {
      for (int k = 0; k < 30; k++) {
        Labels l = Labels.of("__name__", "h", "le", le, "k", Integer.toString(k));
        double v = 0;
        for (long t = 0; t < 1_800_000; t += 15_000) {
          v += r.nextInt(5);
          a.append(0, l, t, v, AppendOptions.NONE);
        }
      }
    }
    // Native histograms, with counter resets, for the reads into reused histograms on the workers.
    for (int k = 0; k < SeriesLoader.BATCH + 13; k++) {
      Labels l = Labels.of("__name__", "nh", "k", Integer.toString(k % 7), "s", Integer.toString(k));
      long[] counts = new long[4];
      for (long t = r.nextInt(15_000); t < 1_800_000; t += 15_000) {
        if (r.nextInt(40) == 0) {
          counts = new long[4];
        }
        for (int b = 0; b < counts.length; b++) {
          counts[b] += r.nextInt(6);
        }
        a.appendHistogram(0, l, t, histogram(counts), null, AppendOptions.NONE);
      }
    }
    a.commit();
  }

  private static dev.kiln.tsdb.histogram.Histogram histogram(long[] counts) {
    var h = new dev.kiln.tsdb.histogram.Histogram();
    h.schema = 0;
    h.zeroThreshold = 1e-128;
    h.positiveSpans = new dev.kiln.tsdb.histogram.Span[] {new dev.kiln.tsdb.histogram.Span(0, counts.length)};
    h.positiveBuckets = new long[counts.length];
    long previous = 0;
    long total = 0;
    for (int b = 0; b < counts.length; b++) {
      h.positiveBuckets[b] = counts[b] - previous;
      previous = counts[b];
      total += counts[b];
    }
    h.count = total;
    h.sum = total * 1.5;
    return h;
  }

  @AfterAll
  static void close() {
    head.close();
    pool.shutdownNow();
  }

  @Test
  void parallelResultsAreIdenticalToSequential() {
    Engine seq = new Engine(EngineOptions.DEFAULTS);
    java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
    Engine par = new Engine(EngineOptions.DEFAULTS, r -> {
      tasks.incrementAndGet();
      pool.execute(r);
    }, 2, 0);
    for (String q : QUERIES) {
      String where = q + ", seed " + seed;
      assertEquals(render(seq.instantQuery(head, QueryOptions.DEFAULTS, q, 1_500_000).exec().value()),
          render(par.instantQuery(head, QueryOptions.DEFAULTS, q, 1_500_000).exec().value()), "instant " + where);
      String expected = render(seq.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec().value());
      assertTrue(expected.length() > 100, "no result for " + where);
      assertEquals(expected,
          render(par.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec().value()), "range " + where);
    }
    assertTrue(tasks.get() > QUERIES.size() * 2, "series were not decoded on the workers: " + tasks.get() + " tasks");
  }

  @Test
  void sampleLimitIsExact() {
    String q = "sum by (job) (m)";
    // The limit that the sequential engine just reaches passes in parallel too; one less fails the same way.
    long needed = samplesNeeded(q);
    Engine par = new Engine(new EngineOptions(needed, 60_000, 300_000, 11_000), pool, 2, 0);
    par.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec();
    Engine seqLow = new Engine(new EngineOptions(needed - 1, 60_000, 300_000, 11_000));
    Engine parLow = new Engine(new EngineOptions(needed - 1, 60_000, 300_000, 11_000), pool, 2, 0);
    ExecutionException a = assertThrows(ExecutionException.class,
        () -> seqLow.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec());
    ExecutionException b = assertThrows(ExecutionException.class,
        () -> parLow.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec());
    assertEquals(a.getMessage(), b.getMessage());
  }

  @Test
  void sampleLimitIsExactForRangeFunctions() {
    String q = "sum by (job) (rate(m[5m]))";
    long needed = samplesNeeded(q);
    assertTrue(needed > 100, "limit too small to test: " + needed);
    Engine par = new Engine(new EngineOptions(needed, 60_000, 300_000, 11_000), pool, 2, 0);
    par.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec();
    Engine parLow = new Engine(new EngineOptions(needed - 1, 60_000, 300_000, 11_000), pool, 2, 0);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> parLow.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec());
    assertEquals("query processing would load too many samples into memory in query execution", e.getMessage());
  }

  @Test
  void canceledQueryStops() {
    Engine par = new Engine(EngineOptions.DEFAULTS, pool, 2, 0);
    Query q = par.rangeQuery(head, QueryOptions.DEFAULTS, "sum(rate(m[5m]))", 300_000, 1_800_000, 15_000);
    q.cancel();
    assertThrows(QueryCanceledException.class, q::exec);
  }

  /** The smallest sample limit under which the sequential engine evaluates {@code q}. */
  private static long samplesNeeded(String q) {
    long lo = 1;
    long hi = 10_000_000;
    while (lo < hi) {
      long mid = (lo + hi) / 2;
      try {
        new Engine(new EngineOptions(mid, 60_000, 300_000, 11_000))
            .rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec();
        hi = mid;
      } catch (ExecutionException e) {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private static String render(Value v) {
    StringBuilder sb = new StringBuilder();
    if (v instanceof Vector vec) {
      for (Sample s : vec.samples()) {
        sb.append(s.labels()).append(' ').append(Double.doubleToRawLongBits(s.value())).append(' ')
            .append(s.histogram()).append('\n');
      }
    } else if (v instanceof Matrix m) {
      for (RangeSeries s : m.series()) {
        sb.append(s.labels());
        for (int i = 0; i < s.count(); i++) {
          sb.append(' ').append(s.timestampAt(i)).append('=').append(Double.doubleToRawLongBits(s.valueAt(i)));
        }
        for (int i = 0; i < s.histogramCount(); i++) {
          sb.append(' ').append(s.histogramTimestampAt(i)).append('=').append(s.histogramAt(i));
        }
        sb.append('\n');
      }
    } else {
      sb.append(v);
    }
    return sb.toString();
  }
}
