package dev.kiln.benchmarks.tsdb;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Thread CPU time and allocation per histogram sample of {@link HistogramChunkBenchmark}'s
 * operations (append and iterate, both encodings), for a loaded machine where JMH's wall-clock
 * scores swing with other processes. Usage: {@code HistogramChunkReport [rounds]}; prints the
 * median over the rounds of 200 operations each (one operation = 32 series × 120 samples).
 */
public final class HistogramChunkReport {
  private HistogramChunkReport() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    HistogramChunkBenchmark b = new HistogramChunkBenchmark();
    b.setup();
    double perOp = HistogramChunkBenchmark.SERIES * (double) HistogramChunkBenchmark.SAMPLES;
    report("appendHistogram", b::appendHistogram, rounds, perOp);
    report("appendFloatHistogram", b::appendFloatHistogram, rounds, perOp);
    report("iterateHistogram", b::iterateHistogram, rounds, perOp);
    report("iterateFloatHistogram", b::iterateFloatHistogram, rounds, perOp);
  }

  private static void report(String name, Callable<?> op, int rounds, double samples) throws Exception {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    long warm = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warm) {
      op.call();
    }
    int calls = 200;
    double[] cpu = new double[rounds];
    double[] bytes = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long c0 = threads.getCurrentThreadCpuTime();
      long a0 = threads.getThreadAllocatedBytes(self);
      for (int k = 0; k < calls; k++) {
        op.call();
      }
      cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / (double) calls;
      bytes[i] = (threads.getThreadAllocatedBytes(self) - a0) / (double) calls;
    }
    Arrays.sort(cpu);
    Arrays.sort(bytes);
    System.out.printf("%-24s %8.0f ns CPU/sample %8.1f B/sample%n", name, cpu[rounds / 2] / samples,
        bytes[rounds / 2] / samples);
  }
}
