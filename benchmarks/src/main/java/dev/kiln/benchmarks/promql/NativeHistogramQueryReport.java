package dev.kiln.benchmarks.promql;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Thread CPU time and allocation per query of {@link NativeHistogramQueryBenchmark}'s queries,
 * for a loaded machine where JMH's wall-clock scores swing with other processes. The engine
 * evaluates on the calling thread, so that thread's CPU time and allocated bytes are the query's
 * (garbage collection excluded). Usage: {@code NativeHistogramQueryReport [series] [rounds]
 * [storage]}; prints one line per query with the median over the rounds, per query and per
 * histogram sample read ({@code series × 1,441}).
 */
public final class NativeHistogramQueryReport {
  private NativeHistogramQueryReport() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    NativeHistogramQueryBenchmark b = new NativeHistogramQueryBenchmark();
    b.series = series;
    b.storage = args.length > 2 ? args[2] : "head";
    b.load();
    double samples = series * (double) NativeHistogramQueryBenchmark.SAMPLES;
    report("histogram_quantile(0.9, rate(lat[5m]))", b::quantilePerHistogram, rounds, samples);
    report("histogram_quantile(0.9, sum by (le) (rate(lat[5m])))", b::quantileOfSumByLe, rounds, samples);
    report("histogram_quantile(0.9, sum(rate(lat[5m])))", b::quantileOfSum, rounds, samples);
    report("sum(rate(lat[5m]))", b::sumOfRate, rounds, samples);
    b.close();
  }

  private static void report(String query, Callable<?> op, int rounds, double samples) throws Exception {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    op.call(); // warm-up
    double[] cpu = new double[rounds];
    double[] bytes = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long c0 = threads.getCurrentThreadCpuTime();
      long a0 = threads.getThreadAllocatedBytes(self);
      op.call();
      cpu[i] = threads.getCurrentThreadCpuTime() - c0;
      bytes[i] = threads.getThreadAllocatedBytes(self) - a0;
    }
    Arrays.sort(cpu);
    Arrays.sort(bytes);
    double c = cpu[rounds / 2];
    double a = bytes[rounds / 2];
    System.out.printf("%-55s %10.1f ms CPU/query %8.0f ns/sample %10.1f MB/query %8.1f B/sample%n",
        query, c / 1e6, c / samples, a / 1e6, a / samples);
  }
}
