package dev.kiln.server.memory;

import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Runs a release step (in the server: taking the storage's mapped file pages out of the resident
 * set, and returning glibc's free memory) when the last running query ends, so that the pages a
 * query burst mapped in do not stay in the process's resident set while the server waits for the
 * next request. The step runs on {@code executor}, off
 * the query's thread, never twice at once, and only when the time since the previous one ended is
 * at least {@code spacing} times that step's CPU time: releases then take at most 1/{@code spacing}
 * of a core, however often queries end. (What a release costs later, the pages the next query maps
 * in again, is proportional to what that query reads; fault-around maps 16 pages per fault.)
 *
 * <p>Thread-safe.
 */
public final class AfterQueryRelease {
  private final Runnable step;
  private final Executor executor;
  private final LongSupplier nanoTime;
  private final LongSupplier stepCpuNanos;
  private final long spacing;
  private int running;
  private boolean releasing;
  private long notBefore;

  /**
   * @param step the release
   * @param executor where it runs
   * @param nanoTime the clock that spaces releases
   * @param stepCpuNanos CPU time of the thread running the step (read before and after it)
   * @param spacing at least this many times the previous step's CPU time between releases
   */
  public AfterQueryRelease(Runnable step, Executor executor, LongSupplier nanoTime, LongSupplier stepCpuNanos,
      long spacing) {
    this.step = step;
    this.executor = executor;
    this.nanoTime = nanoTime;
    this.stepCpuNanos = stepCpuNanos;
    this.spacing = spacing;
    this.notBefore = nanoTime.getAsLong();
  }

  /** A query starts evaluating. */
  public synchronized void started() {
    running++;
  }

  /** A query that {@link #started()} is done with the storage; the release may follow. */
  public void ended() {
    synchronized (this) {
      running--;
      if (running > 0 || releasing || nanoTime.getAsLong() - notBefore < 0) {
        return;
      }
      releasing = true;
    }
    try {
      executor.execute(this::release);
    } catch (RuntimeException e) {
      synchronized (this) {
        releasing = false;
      }
    }
  }

  private void release() {
    long cpu = stepCpuNanos.getAsLong();
    try {
      step.run();
    } finally {
      long cost = Math.max(0, stepCpuNanos.getAsLong() - cpu);
      synchronized (this) {
        releasing = false;
        notBefore = nanoTime.getAsLong() + spacing * cost;
      }
    }
  }
}
