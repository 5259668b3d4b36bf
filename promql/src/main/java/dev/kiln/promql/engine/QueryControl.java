package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.QueryCanceledException;
import dev.kiln.promql.QueryTimeoutException;

/**
 * Cooperative limits of one running query: the deadline, cancellation from another thread, and
 * the number of samples held in memory. Evaluation loops call {@link #check()} regularly.
 * {@link #cancel()} and {@link #checkConcurrent()} are thread-safe; everything else is called by
 * the evaluating thread only.
 */
final class QueryControl {
  private final long deadlineNanos;
  private final long maxSamples;
  private volatile boolean canceled;
  private long currentSamples;
  private int checkCounter;

  QueryControl(long timeoutMillis, long maxSamples) {
    this.deadlineNanos =
        timeoutMillis <= 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000L;
    this.maxSamples = maxSamples <= 0 ? Long.MAX_VALUE : maxSamples;
  }

  void cancel() {
    canceled = true;
  }

  /** Throws when the query was canceled or ran past its deadline. Cheap; call often. */
  void check() {
    if (canceled) {
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
    if (canceled) {
      throw new QueryCanceledException("query was canceled in expression evaluation");
    }
    if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
      throw new QueryTimeoutException("query timed out in expression evaluation");
    }
  }

  /** Accounts for n more samples in memory. */
  void addSamples(long n) {
    currentSamples += n;
    if (currentSamples > maxSamples) {
      throw new ExecutionException(
          "query processing would load too many samples into memory in query execution");
    }
  }

  /** Accounts for n samples released from memory. */
  void releaseSamples(long n) {
    currentSamples -= n;
  }
}
