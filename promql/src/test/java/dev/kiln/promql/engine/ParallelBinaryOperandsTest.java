package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryCanceledException;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryResult;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binary operators whose operands are evaluated at once (the right one offered to the workers)
 * give exactly the results, annotations, sample-limit errors and other errors of sequential
 * evaluation, whether the right operand runs on a worker while the left one is evaluated, entirely
 * before it (a worker that takes it at once), or after it on the query's thread (no worker took it).
 */
class ParallelBinaryOperandsTest {
  private static final List<String> QUERIES = List.of(
      "m / m",
      "(1 - (m / ignoring(x) m offset 2m)) * 100",
      "100 - (m{job!~\"j1|j2\"} / m{job!~\"j1|j2\"}) * 100",
      "sum(m) / sum(k)",
      "sum(k) / sum(m)",
      "sum by (job) (rate(m[5m])) / on(job) group_left sum by (job) (rate(k[5m]))",
      "rate(m[5m]) / rate(k[5m])",
      "(m - m offset 1m) / (m + m offset 2m)",
      "m > bool on(s) m offset 1m",
      "m and on(s) k",
      "m unless on(s) k",
      "m or k",
      "scalar(sum(m)) / scalar(count(k))",
      "sum(m) / scalar(count(k))",
      "count(m) * on() group_left sum(k)",
      "histogram_quantile(0.9, rate(m[5m])) + histogram_quantile(0.5, rate(k[5m]))",
      "sum by (job) (m) + on(job) group_left label_replace(m, \"s\", \"x\", \"\", \"\")");

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
    for (int i = 0; i < SeriesLoader.BATCH * 2 + 9; i++) {
      Labels l = Labels.of("__name__", "m", "job", "j" + (i % 5), "s", Integer.toString(i));
      double v = r.nextInt(100);
      for (long t = r.nextInt(15_000); t < 1_800_000; t += 15_000) {
        v += r.nextInt(10) < 9 ? r.nextDouble() * 10 : -v;
        a.append(0, l, t, v, AppendOptions.NONE);
      }
    }
    for (int i = 0; i < SeriesLoader.BATCH + 21; i++) {
      Labels l = Labels.of("__name__", "k", "job", "j" + (i % 3), "s", Integer.toString(i * 2));
      for (long t = r.nextInt(15_000); t < 1_800_000; t += 30_000) {
        a.append(0, l, t, r.nextInt(1000) * 1e6 + r.nextDouble(), AppendOptions.NONE);
      }
    }
    a.commit();
  }

  @AfterAll
  static void close() {
    head.close();
    pool.shutdownNow();
  }

  /** Where the right operand runs: on the pool, inside {@code execute} (before the left one), or never on a worker. */
  private static Map<String, Executor> executors() {
    return Map.of("pool", pool, "at once", Runnable::run, "no worker", task -> { });
  }

  private static Engine parallel(long maxSamples, Executor workers) {
    return new Engine(new EngineOptions(maxSamples, 60_000, 300_000, 11_000), workers, 2, 0);
  }

  private static Engine sequential(long maxSamples) {
    return new Engine(new EngineOptions(maxSamples, 60_000, 300_000, 11_000));
  }

  @Test
  void resultsAndAnnotationsAreThoseOfSequentialEvaluation() {
    Engine seq = sequential(50_000_000);
    for (var e : executors().entrySet()) {
      AtomicInteger forks = new AtomicInteger();
      Engine par = parallel(50_000_000, task -> {
        if (task instanceof ForkedTask<?>) {
          forks.incrementAndGet();
        }
        e.getValue().execute(task);
      });
      for (String q : QUERIES) {
        String where = q + " (" + e.getKey() + "), seed " + seed;
        assertEquals(outcome(seq.instantQuery(head, QueryOptions.DEFAULTS, q, 1_500_000)),
            outcome(par.instantQuery(head, QueryOptions.DEFAULTS, q, 1_500_000)), "instant " + where);
        String expected = outcome(seq.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000));
        assertTrue(expected.length() > 40, "no result for " + where + ": " + expected);
        assertEquals(expected,
            outcome(par.rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000)), "range " + where);
      }
      assertTrue(forks.get() >= QUERIES.size() * 2, "operands were not forked: " + forks.get() + " (" + e.getKey() + ")");
    }
  }

  @Test
  void annotationsOfBothSidesComeLeftFirst() {
    String q = "rate(m[5m]) / rate(k[5m])";
    QueryResult seq = sequential(0).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec();
    assertEquals(2, seq.infos().size(), seq.infos().toString());
    assertTrue(seq.infos().get(0).contains("\"m\"") && seq.infos().get(1).contains("\"k\""), seq.infos().toString());
    for (var e : executors().entrySet()) {
      QueryResult par = parallel(0, e.getValue()).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000).exec();
      assertEquals(seq.infos(), par.infos(), e.getKey());
      assertEquals(seq.warnings(), par.warnings(), e.getKey());
    }
  }

  /**
   * Around every limit where the sequential outcome changes (a side's peak, the left side's
   * result plus the right side's peak, the output) the parallel engine succeeds or fails the same
   * way, with the same error.
   */
  @Test
  void sampleLimitOutcomesAreThoseOfSequentialEvaluation() {
    for (String q : List.of("sum(m) / sum(k)", "sum(k) / sum(m)", "m / m offset 1m", "count(k) * on() group_left sum(m)",
        "sum by (job) (m) + on(job) group_left label_replace(m, \"s\", \"x\", \"\", \"\")",
        "(sum(k) / sum(m)) - (m / m offset 1m)")) {
      TreeSet<Long> limits = new TreeSet<>();
      for (long edge : edges(q)) {
        for (long d = -2; d <= 2; d++) {
          if (edge + d > 0) {
            limits.add(edge + d);
          }
        }
      }
      assertTrue(limits.size() >= 5, "edges of " + q + ": " + limits);
      for (long limit : limits) {
        String expected = outcome(sequential(limit).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000));
        for (var e : executors().entrySet()) {
          assertEquals(expected,
              outcome(parallel(limit, e.getValue()).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000)),
              q + " with limit " + limit + " (" + e.getKey() + "), seed " + seed);
        }
      }
    }
  }

  /** The limits at which the sequential outcome of {@code q} changes, found by bisection over [1, 10^7]. */
  private static List<Long> edges(String q) {
    List<Long> out = new ArrayList<>();
    findEdges(q, 1, 10_000_000, outcome(sequential(1).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000)),
        outcome(sequential(10_000_000).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000)), out);
    return out;
  }

  /** Outcomes are monotone in few steps (error, other error, success): bisects each change. */
  private static void findEdges(String q, long lo, long hi, String atLo, String atHi, List<Long> out) {
    if (atLo.equals(atHi)) {
      return;
    }
    if (hi - lo <= 1) {
      out.add(hi);
      return;
    }
    long mid = (lo + hi) / 2;
    String atMid = outcome(sequential(mid).rangeQuery(head, QueryOptions.DEFAULTS, q, 300_000, 1_800_000, 15_000));
    findEdges(q, lo, mid, atLo, atMid, out);
    findEdges(q, mid, hi, atMid, atHi, out);
  }

  @Test
  void cancelingWhileTheOperandsRunStopsTheQuery() {
    for (var e : executors().entrySet()) {
      Query[] query = new Query[1];
      Engine par = parallel(0, task -> {
        if (task instanceof ForkedTask<?>) {
          query[0].cancel();
        }
        e.getValue().execute(task);
      });
      query[0] = par.rangeQuery(head, QueryOptions.DEFAULTS, "rate(m[5m]) / rate(k[5m])", 300_000, 1_800_000, 15_000);
      assertThrows(QueryCanceledException.class, query[0]::exec, e.getKey());
    }
  }

  /** The result (bit for bit) with the annotations, or the error's class and message. */
  private static String outcome(Query q) {
    QueryResult r;
    try {
      r = q.exec();
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    StringBuilder sb = new StringBuilder();
    if (r.value() instanceof Vector vec) {
      for (var s : vec.samples()) {
        sb.append(s.labels()).append(' ').append(Double.doubleToRawLongBits(s.value())).append('\n');
      }
    } else if (r.value() instanceof Matrix m) {
      for (RangeSeries s : m.series()) {
        sb.append(s.labels());
        for (int i = 0; i < s.count(); i++) {
          sb.append(' ').append(s.timestampAt(i)).append('=').append(Double.doubleToRawLongBits(s.valueAt(i)));
        }
        sb.append('\n');
      }
    } else if (r.value() instanceof Scalar s) {
      sb.append(Double.doubleToRawLongBits(s.value()));
    } else {
      sb.append(r.value());
    }
    return sb.append(r.warnings()).append(r.infos()).toString();
  }
}
