package dev.kiln.promql.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs independent slices of one piece of work (slice {@code 0..n-1}) on the calling thread and
 * the engine's workers at once, and returns when every slice is done. The calling thread takes
 * slices itself until none is left, so it never waits for a worker that has not started (a worker
 * busy elsewhere, decoding the next batch, say, simply claims nothing later), only for slices a
 * worker is running. Everything the caller wrote before {@link #run} is visible to the slices,
 * and everything the slices wrote is visible to the caller after it. Thread-safe; one instance per
 * engine.
 */
final class ParallelSlices {
  /** Runs every slice on the calling thread. */
  static final ParallelSlices SEQUENTIAL = new ParallelSlices(Runnable::run, 0);

  private final Executor workers;
  private final int helpers;

  /**
   * @param workers runs the helper tasks
   * @param helpers how many helper tasks to hand to {@code workers} per run (0: none)
   */
  ParallelSlices(Executor workers, int helpers) {
    this.workers = workers;
    this.helpers = helpers;
  }

  /** Whether {@link #run} hands slices to worker threads. */
  boolean parallel() {
    return helpers > 0;
  }

  /**
   * Offers {@code body} to one worker (none when sequential) and returns its task; the caller
   * gets the result with {@link ForkedTask#join}, which runs the body itself if no worker has
   * started it.
   */
  <T> ForkedTask<T> fork(java.util.function.Supplier<T> body) {
    ForkedTask<T> task = new ForkedTask<>(body);
    if (helpers > 0) {
      try {
        workers.execute(task);
      } catch (RejectedExecutionException e) {
        // The caller runs it at join.
      }
    }
    return task;
  }

  /**
   * Runs {@code body} once for each slice in [0, n), in no particular order and possibly at the
   * same time on several threads; slices must touch disjoint state. A slice's exception is thrown
   * here once every slice has ended.
   */
  void run(int n, IntConsumer body) {
    if (helpers == 0 || n < 2) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    CountDownLatch left = new CountDownLatch(n);
    RuntimeException[] failure = new RuntimeException[1];
    Runnable task = () -> {
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        try {
          body.accept(i);
        } catch (RuntimeException e) {
          synchronized (failure) {
            if (failure[0] == null) {
              failure[0] = e;
            }
          }
        } finally {
          left.countDown();
        }
      }
    };
    for (int h = 0; h < Math.min(helpers, n - 1); h++) {
      try {
        workers.execute(task);
      } catch (RejectedExecutionException e) {
        break;
      }
    }
    task.run();
    Latches.awaitUninterruptibly(left);
    synchronized (failure) {
      if (failure[0] != null) {
        throw failure[0];
      }
    }
  }
}
