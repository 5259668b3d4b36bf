package dev.kiln.promql.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One piece of work offered to the engine's workers that runs exactly once, on whichever thread
 * claims it first: a worker that picks it up, or the thread that needs its result ({@link #join}),
 * which runs it itself when no worker has started it. So the waiting thread never waits for a
 * task still in a queue (a worker busy elsewhere, or nested work offered by a worker), only for
 * one that is running. Thread-safe.
 */
final class ForkedTask<T> implements Runnable {
  private final Supplier<T> body;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final CountDownLatch done = new CountDownLatch(1);
  private T result;
  private Throwable failure;

  ForkedTask(Supplier<T> body) {
    this.body = body;
  }

  /** Runs the body unless another thread has claimed it (the worker's entry point). */
  @Override
  public void run() {
    if (claimed.compareAndSet(false, true)) {
      execute();
    }
  }

  private void execute() {
    try {
      result = body.get();
    } catch (RuntimeException | Error e) {
      failure = e;
    } finally {
      done.countDown();
    }
  }

  /**
   * The body's result: computed here if no thread has started it, else awaited. Throws what the
   * body threw.
   */
  T join() {
    if (claimed.compareAndSet(false, true)) {
      execute();
    } else {
      await();
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    return result;
  }

  /**
   * Returns once the body is not running and never will: it is claimed here if no thread has
   * started it (it then never runs), else awaited. Its result or failure is dropped.
   */
  void settle() {
    if (!claimed.compareAndSet(false, true)) {
      await();
    }
  }

  private void await() {
    Latches.awaitUninterruptibly(done);
  }
}
