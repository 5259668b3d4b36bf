package dev.kiln.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Thread-CPU-time measurement for hot loops on a loaded machine, where JMH's wall-clock scores
 * swing with other processes: runs {@code op} in rounds on the calling thread and reports the
 * median CPU nanoseconds per call (time spent descheduled does not count; cache interference
 * still does).
 */
public final class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuTime() {}

  /** Median CPU ns per call over {@code rounds} rounds of {@code calls} calls, after one warm-up second. */
  public static double nanosPerCall(Callable<?> op, int rounds, int calls) throws Exception {
    long sink = 0;
    long warm = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warm) {
      sink += op.call().hashCode();
    }
    double[] r = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long t = THREADS.getCurrentThreadCpuTime();
      for (int k = 0; k < calls; k++) {
        sink += op.call().hashCode();
      }
      r[i] = (THREADS.getCurrentThreadCpuTime() - t) / (double) calls;
    }
    Arrays.sort(r);
    if (sink == 42) {
      System.out.print("");
    }
    return r[rounds / 2];
  }
}
