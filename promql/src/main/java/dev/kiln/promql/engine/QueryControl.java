package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.QueryCanceledException;
import dev.kiln.promql.QueryTimeoutException;

/**
 * Cooperative limits of one running query: the deadline, cancellation from another thread, and
 * the number of samples held in memory. Evaluation loops call {@link #check()} regularly.
 * {@link #cancel()} and {@link #checkConcurrent()} are thread-safe; everything else is called by
 * the evaluating thread only.
 *
 * <p>A part of the query evaluated on another thread counts its samples on a {@link #fork()}:
 * the fork shares the deadline and sees the query's cancellation, counts from zero, and records
 * the highest count it reached, so that {@link #join} can tell whether the sequential evaluation,
 * counting the fork's samples after everything counted here, would have gone over the limit.
 */
final class QueryControl {
  static final String TOO_MANY_SAMPLES =
      "query processing would load too many samples into memory in query execution";

  private final long deadlineNanos;
  private final long maxSamples;
  /** The control this one was forked from (its cancellation stops this one too); null for a query's own. */
  private final QueryControl parent;
  private volatile boolean canceled;
  private long currentSamples;
  /** The highest {@link #currentSamples} reached. */
  private long peakSamples;
  /** Whether {@link #addSamples} has thrown. */
  private boolean overLimit;
  private int checkCounter;

  QueryControl(long timeoutMillis, long maxSamples) {
    this(null, timeoutMillis <= 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000L,
        maxSamples <= 0 ? Long.MAX_VALUE : maxSamples);
  }

  private QueryControl(QueryControl parent, long deadlineNanos, long maxSamples) {
    this.parent = parent;
    this.deadlineNanos = deadlineNanos;
    this.maxSamples = maxSamples;
  }

  /**
   * A control for work that runs alongside the rest of the query and whose samples count after
   * those counted here so far: it may hold no more than the samples left under the limit now.
   * Called by the evaluating thread; the fork is then used by one thread at a time.
   */
  QueryControl fork() {
    return new QueryControl(this, deadlineNanos, maxSamples - currentSamples);
  }

  /** Stops the query (or, on a fork, the forked work) at its next check. Any thread. */
  void cancel() {
    canceled = true;
  }

  private boolean isCanceled() {
    return canceled || parent != null && parent.isCanceled();
  }

  /** Throws when the query was canceled or ran past its deadline. Cheap; call often. */
  void check() {
    if (isCanceled()) {
      throw new QueryCanceledException("query was canceled in expression evaluation");
    }
    if ((++checkCounter & 63) == 0 && deadlineNanos != Long.MAX_VALUE
        && System.nanoTime() - deadlineNanos > 0) {
      throw new QueryTimeoutException("query timed out in expression evaluation");
    }
  }

  /**
   * Throws when the query was canceled or ran past its deadline; for worker threads computing on
   * the query's behalf (checks the clock on every call, so call it every few hundred steps).
   */
  void checkConcurrent() {
    checkNow();
  }

  /** Checks the deadline now, regardless of the call count. */
  void checkNow() {
    if (isCanceled()) {
      throw new QueryCanceledException("query was canceled in expression evaluation");
    }
    if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
      throw new QueryTimeoutException("query timed out in expression evaluation");
    }
  }

  /** Accounts for n more samples in memory. */
  void addSamples(long n) {
    currentSamples += n;
    if (currentSamples > peakSamples) {
      peakSamples = currentSamples;
    }
    if (currentSamples > maxSamples) {
      overLimit = true;
      throw new ExecutionException(TOO_MANY_SAMPLES);
    }
  }

  /** Accounts for n samples released from memory. */
  void releaseSamples(long n) {
    currentSamples -= n;
  }

  /** The samples counted now. */
  long samples() {
    return currentSamples;
  }

  /** Whether this control went over its limit ({@link #addSamples} or {@link #join} threw for it). */
  boolean overLimit() {
    return overLimit;
  }

  /**
   * Records as this control's own peak the highest count a fork reached on top of the samples
   * counted here now (where a sequential evaluation would have counted it), and returns whether
   * that went over the limit: up to where the fork stopped, if it failed.
   */
  boolean takePeak(QueryControl fork) {
    long peak = currentSamples + fork.peakSamples;
    if (peak > peakSamples) {
      peakSamples = peak;
    }
    if (peak > maxSamples) {
      overLimit = true;
      return true;
    }
    return false;
  }

  /**
   * Takes over the samples a finished fork holds, as if its work had run here after everything
   * counted now; throws the sample limit's error when that would have gone over the limit.
   */
  void join(QueryControl fork) {
    if (takePeak(fork)) {
      throw new ExecutionException(TOO_MANY_SAMPLES);
    }
    currentSamples += fork.currentSamples;
  }
}
