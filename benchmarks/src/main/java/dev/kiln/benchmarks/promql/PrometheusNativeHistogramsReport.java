package dev.kiln.benchmarks.promql;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Kiln on the dataset and queries of Prometheus's {@code BenchmarkNativeHistograms}
 * ({@code promql/bench_test.go}), so Kiln's figures compare with the ones Prometheus publishes for
 * it: 3,000 series {@code native_histogram_series{foo="bar", h="<n>"}} of 2,000 samples at 15 s
 * each, the histograms of {@code tsdbutil.GenerateTestHistograms(2000)} (count 12 + 9i, equal to
 * the bucket counts; versions of the generator with 10 + 8i fail Kiln's validation; schema 1, zero threshold
 * 0.001, 4 positive and 4 negative buckets, growing by 9 observations per sample, hint
 * not-counter-reset after the first), and range queries over [0, 2 h] at step 30 s. Prometheus's
 * generator also appends one schema-3 histogram at t = 0 before the first sample; it has the same
 * timestamp, so the head keeps one of the two and this dataset leaves it out.
 *
 * <p>Prints thread CPU time and allocation per query (median of the rounds), and wall time.
 * Usage: {@code PrometheusNativeHistogramsReport [rounds]}.
 */
public final class PrometheusNativeHistogramsReport {
  private PrometheusNativeHistogramsReport() {}

  static Histogram generateTestHistogram(int i) {
    Histogram h = new Histogram();
    h.count = 12 + 9L * i;
    h.zeroCount = 2 + i;
    h.zeroThreshold = 0.001;
    h.sum = 18.4 * (i + 1);
    h.schema = 1;
    h.positiveSpans = new Span[] {new Span(0, 2), new Span(1, 2)};
    h.positiveBuckets = new long[] {i + 1, 1, -1, 0};
    h.negativeSpans = new Span[] {new Span(0, 2), new Span(1, 2)};
    h.negativeBuckets = new long[] {i + 1, 1, -1, 0};
    if (i > 0) {
      h.counterResetHint = CounterResetHint.NOT_COUNTER_RESET;
    }
    return h;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Head head = Head.inMemory();
    Labels[] labels = new Labels[3000];
    for (int s = 0; s < labels.length; s++) {
      labels[s] = Labels.of("__name__", "native_histogram_series", "foo", "bar", "h", Integer.toString(s));
    }
    for (int i = 0; i < 2000; i++) {
      Appender app = head.appender();
      for (Labels l : labels) {
        app.appendHistogram(0, l, i * 15_000L, generateTestHistogram(i), null, AppendOptions.NONE);
      }
      app.commit();
    }
    Engine engine = new Engine(EngineOptions.DEFAULTS);
    String[] queries = {
      "sum(rate(native_histogram_series[2m]))",
      "sum(rate(native_histogram_series[20m]))",
      "histogram_count(sum(rate(native_histogram_series[2m])))",
    };
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    for (String q : queries) {
      Runnable run = () -> engine.rangeQuery(head, QueryOptions.DEFAULTS, q, 0, 7_200_000, 30_000).exec().value();
      run.run();
      double[] cpu = new double[rounds];
      double[] wall = new double[rounds];
      double[] bytes = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long c0 = threads.getCurrentThreadCpuTime();
        long a0 = threads.getThreadAllocatedBytes(self);
        long w0 = System.nanoTime();
        run.run();
        wall[r] = System.nanoTime() - w0;
        cpu[r] = threads.getCurrentThreadCpuTime() - c0;
        bytes[r] = threads.getThreadAllocatedBytes(self) - a0;
      }
      Arrays.sort(cpu);
      Arrays.sort(wall);
      Arrays.sort(bytes);
      System.out.printf("%-58s %8.1f ms CPU/query %8.1f ms wall %8.1f MB/query%n", q, cpu[rounds / 2] / 1e6,
          wall[rounds / 2] / 1e6, bytes[rounds / 2] / 1e6);
    }
    head.close();
  }
}
