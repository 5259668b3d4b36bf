package dev.kiln.server.memory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back when the server goes idle after work (a burst of dashboard queries, a
 * remote-write backfill): polls the process's CPU time and collection count once a second through
 * {@link ProcessGauges}, and when {@link IdleTrimPolicy} says so runs the {@link Steps}: drop the
 * resident pages of the storage's mapped files, collect the heap fully (a {@link ShrinkingCollection}:
 * the serial collector then shrinks the heap to little more than the live set, and the old mappings
 * are released), and return glibc's free memory to the system. Without this, a heap
 * grown by a query burst stays committed until the next full collection, which an idle server may
 * never have.
 *
 * <p>Thread-safe: one daemon thread of its own polls and trims; {@link #close()} stops it.
 */
public final class IdleTrimmer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IdleTrimmer.class);

  /** What one trim does, in this order. */
  public interface Steps {
    /** Lets the storage's mapped file pages leave the resident set. */
    void releaseMappedPages();

    /** A full collection. */
    void collect();

    /** Returns the C heap's free memory to the system. */
    void trimNativeHeap();
  }

  private final IdleTrimPolicy policy;
  private final ProcessGauges gauges;
  private final Steps steps;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kiln-idle-trim");
    t.setDaemon(true);
    return t;
  });
  private long trims;

  public IdleTrimmer(IdleTrimPolicy policy, ProcessGauges gauges, Steps steps) {
    this.policy = policy;
    this.gauges = gauges;
    this.steps = steps;
  }

  /** Starts polling every {@code periodMillis}. */
  public void start(long periodMillis) {
    thread.scheduleWithFixedDelay(this::poll, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** One poll: samples the gauges and trims when the policy says so. Returns whether it trimmed. */
  public synchronized boolean poll() {
    try {
      if (!policy.sample(gauges.nanoTime(), gauges.processCpuNanos(), gauges.collections())) {
        return false;
      }
      long start = gauges.nanoTime();
      long cpuBefore = gauges.processCpuNanos();
      steps.releaseMappedPages();
      steps.collect();
      steps.trimNativeHeap();
      long end = gauges.nanoTime();
      long cpuAfter = gauges.processCpuNanos();
      // The cost is the process's CPU time over the trim (the server is idle otherwise, and the
      // collection runs on the JVM's own thread), not wall time, which a loaded machine stretches.
      policy.trimmed(end, Math.max(0, cpuAfter - cpuBefore), cpuAfter, gauges.collections());
      trims++;
      LOG.debug("idle trim took {} ms, {} ms of CPU", (end - start) / 1_000_000, (cpuAfter - cpuBefore) / 1_000_000);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("idle memory trim failed: {}", e.toString());
      return false;
    }
  }

  /** Trims so far. */
  public synchronized long trims() {
    return trims;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
