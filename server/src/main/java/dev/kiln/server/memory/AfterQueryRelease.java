package dev.kiln.server.memory;

import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Runs a release step (in the server: taking the storage's mapped file pages out of the resident
 * set, shrinking a heap that the queries grew, and returning glibc's free memory) when the last
 * running query ends, so that what a query burst took does not stay in the process's resident set
 * while the server waits for the next request. The step runs on {@code executor}, off the query's
 * thread, never twice at once, and only when the time since the previous one ended is at least
 * {@code spacing} times that step's cost: releases then take at most 1/{@code spacing} of a core,
 * however often queries end. When the last query ends (or ended during a release) too soon after
 * the previous release, the release is deferred to the end of that spacing, and runs then if no
 * query is running, so the end of a burst is always followed by one. With a {@code quiet} time, a
 * release also waits until no query has run for that long: a step too costly to run between the
 * queries of one burst (a collection) then runs once at its end. (What a release costs later,
 * the pages the next query maps in again, is proportional to what that query reads; fault-around
 * maps 16 pages per fault.)
 *
 * <p>Thread-safe.
 */
public final class AfterQueryRelease implements QueryActivity {
  /** Runs a task after a delay. */
  public interface Delayer {
    /** Runs {@code task} once, {@code delayNanos} from now. */
    void schedule(Runnable task, long delayNanos);
  }

  private final Runnable step;
  private final Executor executor;
  private final Delayer delayer;
  private final LongSupplier nanoTime;
  private final LongSupplier stepCost;
  private final long spacing;
  private final long quietNanos;
  private int running;
  private long lastEnd;
  private boolean releasing;
  private boolean endedWhileReleasing;
  private boolean deferred;
  private long notBefore;

  /**
   * @param step the release
   * @param executor where it runs
   * @param delayer runs the check of a deferred release
   * @param nanoTime the clock that spaces releases
   * @param stepCost cost counter in nanoseconds (CPU time of the thread running the step, plus what it
   *     causes elsewhere such as collection pauses), read before and after it
   * @param spacing at least this many times the previous step's cost between releases
   * @param quietNanos no release until no query has run for this long (0: right after the last one)
   */
  public AfterQueryRelease(Runnable step, Executor executor, Delayer delayer, LongSupplier nanoTime,
      LongSupplier stepCost, long spacing, long quietNanos) {
    this.step = step;
    this.executor = executor;
    this.delayer = delayer;
    this.nanoTime = nanoTime;
    this.stepCost = stepCost;
    this.spacing = spacing;
    this.quietNanos = quietNanos;
    this.notBefore = nanoTime.getAsLong();
  }

  @Override
  public synchronized void started() {
    running++;
  }

  /** A query that {@link #started()} is done with the storage; the release may follow. */
  @Override
  public void ended() {
    long wait;
    synchronized (this) {
      running--;
      lastEnd = nanoTime.getAsLong();
      if (running > 0) {
        return;
      }
      if (releasing) {
        endedWhileReleasing = true;
        return;
      }
      if (deferred && untilAllowed() > 0) {
        return; // the deferred check comes back
      }
      wait = claim();
    }
    deferOrSubmit(wait);
  }

  /**
   * Caller holds the lock: marks a release as deferred or as running, whichever the spacing and
   * the quiet time allow now; returns the nanoseconds to defer it by (0 or less: run it now).
   */
  private long claim() {
    long wait = untilAllowed();
    if (wait > 0) {
      deferred = true;
    } else {
      releasing = true;
    }
    return wait;
  }

  private void deferOrSubmit(long wait) {
    if (wait > 0) {
      defer(wait);
    } else {
      submit();
    }
  }

  private void defer(long wait) {
    try {
      delayer.schedule(this::deferredCheck, wait);
    } catch (RuntimeException e) {
      synchronized (this) {
        deferred = false;
      }
    }
  }

  private void deferredCheck() {
    long wait;
    synchronized (this) {
      deferred = false;
      if (running > 0 || releasing) {
        return; // the running query's end, or the running release's, comes back here
      }
      wait = claim();
    }
    deferOrSubmit(wait);
  }

  /** Nanoseconds until the spacing and the quiet time both allow a release; caller holds the lock. */
  private long untilAllowed() {
    long now = nanoTime.getAsLong();
    return Math.max(notBefore - now, quietNanos == 0 ? 0 : lastEnd + quietNanos - now);
  }

  private void submit() {
    try {
      executor.execute(this::release);
    } catch (RuntimeException e) {
      synchronized (this) {
        releasing = false;
      }
    }
  }

  private void release() {
    long before = stepCost.getAsLong();
    long wait = 0;
    try {
      step.run();
    } finally {
      long cost = Math.max(0, stepCost.getAsLong() - before);
      synchronized (this) {
        releasing = false;
        notBefore = nanoTime.getAsLong() + spacing * cost;
        if (endedWhileReleasing && running == 0 && !deferred) {
          deferred = true;
          wait = Math.max(1, untilAllowed());
        }
        endedWhileReleasing = false;
      }
    }
    if (wait > 0) {
      defer(wait);
    }
  }
}
