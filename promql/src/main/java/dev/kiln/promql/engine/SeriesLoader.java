package dev.kiln.promql.engine;

import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the samples of a selection's series for the evaluator, in the selection's order. A large
 * selection is read in batches whose series are decoded on the engine's worker threads and the
 * query's own thread at once; the visitor then sees them one by one on the query's thread, in
 * order, so evaluation, the sample limit and cancellation checks are exactly those of a sequential
 * read. Every batch is fully decoded before it is visited, so no worker touches the querier after
 * {@link #forEach} returns. Thread-safe; one instance per engine.
 */
final class SeriesLoader {
  /** Receives one series with its samples in a buffer that is reused after the call. */
  interface Visitor {
    void visit(Series series, SampleBuffer samples);
  }

  /** Loads everything on the calling thread. */
  static final SeriesLoader SEQUENTIAL = new SeriesLoader(Runnable::run, 0);

  /** Series per batch; selections with fewer are read sequentially. */
  static final int BATCH = 64;

  private final Executor workers;
  private final int helpers;

  /**
   * @param workers runs the decoding tasks
   * @param helpers how many tasks to hand to {@code workers} per batch (0 reads sequentially)
   */
  SeriesLoader(Executor workers, int helpers) {
    this.workers = workers;
    this.helpers = helpers;
  }

  /**
   * Loads each series of {@code set} with samples in [mint, maxt] (see {@link SampleBuffer#load})
   * and passes it to {@code visitor}, in order; {@code own} is the buffer of sequential reads.
   * {@code resolveHints} is set on every buffer used (see {@link SampleBuffer#resolveHints}).
   */
  void forEach(SeriesSet set, long mint, long maxt, boolean dropStale, boolean resolveHints, SampleBuffer own,
      QueryControl control, Visitor visitor) {
    own.resolveHints = resolveHints;
    if (helpers == 0) {
      sequential(set, mint, maxt, dropStale, own, control, visitor);
      return;
    }
    Series[] batch = new Series[BATCH];
    int n = fill(set, batch);
    if (n < BATCH) {
      for (int i = 0; i < n; i++) {
        control.check();
        own.load(batch[i], mint, maxt, dropStale);
        visitor.visit(batch[i], own);
      }
      return;
    }
    SampleBuffer[] buffers = new SampleBuffer[BATCH];
    for (int i = 0; i < BATCH; i++) {
      buffers[i] = new SampleBuffer();
      buffers[i].resolveHints = resolveHints;
      buffers[i].reuseHistograms = own.reuseHistograms;
    }
    while (n > 0) {
      control.check();
      loadParallel(batch, buffers, n, mint, maxt, dropStale);
      for (int i = 0; i < n; i++) {
        control.check();
        visitor.visit(batch[i], buffers[i]);
        batch[i] = null;
      }
      n = fill(set, batch);
    }
  }

  private static void sequential(SeriesSet set, long mint, long maxt, boolean dropStale, SampleBuffer own,
      QueryControl control, Visitor visitor) {
    while (set.next()) {
      control.check();
      Series s = set.at();
      own.load(s, mint, maxt, dropStale);
      visitor.visit(s, own);
    }
  }

  private static int fill(SeriesSet set, Series[] batch) {
    int n = 0;
    while (n < batch.length && set.next()) {
      batch[n++] = set.at();
    }
    return n;
  }

  /** Decodes series [0, n) into their buffers on the helpers and this thread; returns when all are done. */
  private void loadParallel(Series[] batch, SampleBuffer[] buffers, int n, long mint, long maxt, boolean dropStale) {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Runnable task = () -> {
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        try {
          buffers[i].load(batch[i], mint, maxt, dropStale);
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }
    };
    CountDownLatch done = new CountDownLatch(helpers);
    for (int h = 0; h < helpers; h++) {
      try {
        workers.execute(() -> {
          try {
            task.run();
          } finally {
            done.countDown();
          }
        });
      } catch (RejectedExecutionException e) {
        done.countDown();
      }
    }
    task.run();
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }
}
