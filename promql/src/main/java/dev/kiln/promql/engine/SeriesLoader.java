package dev.kiln.promql.engine;

import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Reads the samples of a selection's series for the evaluator, in the selection's order. A large
 * selection is read in batches whose series are decoded on the engine's worker threads and the
 * query's own thread at once, optionally together with a per-series {@link Kernel} (a range
 * function's or a selector's per-step values, which depend on that series alone); the visitor
 * then sees them one by one on the query's thread, in order, so output order, the sample limit
 * and annotations are exactly those of a sequential read. While the query's thread visits one
 * batch the workers already decode the next, and the query's thread joins them once it is done.
 * Every batch is fully decoded before it is visited, and {@link #forEach} waits for every series a
 * worker has taken even when the visitor throws, so no worker touches the querier after it returns;
 * it never waits for a worker task that has not started (on a loaded machine a worker may not be
 * scheduled for a while): the query's thread decodes what is left itself, and the late task finds
 * nothing to do. Selections of
 * fewer than {@link #BATCH} series or over a short time range ({@link #MIN_PARALLEL_SPAN_MILLIS}
 * in the server), and engines without workers, are read on the query's thread
 * and the kernel is not used (the visitor computes the series itself). Thread-safe; one instance
 * per engine.
 */
final class SeriesLoader {
  /** Receives one series with its samples in a buffer that is reused after the call. */
  interface Visitor {
    void visit(Series series, SampleBuffer samples);
  }

  /**
   * Computes a value from one series' samples on any thread. It must read only the series, the
   * buffer and its own state (each task gets its own kernel from the supplier), and may return
   * null to leave the series to the visitor.
   */
  interface Kernel<R> {
    R compute(Series series, SampleBuffer samples);
  }

  /** Receives one series with its samples and its kernel's result (null when no kernel ran). */
  interface ResultVisitor<R> {
    void visit(Series series, SampleBuffer samples, R result);
  }

  /** Loads everything on the calling thread. */
  static final SeriesLoader SEQUENTIAL = new SeriesLoader(Runnable::run, 0);

  /** Series per batch; selections with fewer are read sequentially. */
  static final int BATCH = 64;

  /**
   * Selections over a shorter time range are read sequentially: an instant query's lookback or
   * {@code [5m]} window holds a few dozen samples per series, less work per batch than handing
   * the batch to another thread costs.
   */
  static final long MIN_PARALLEL_SPAN_MILLIS = 30 * 60_000L;

  private final Executor workers;
  private final int helpers;
  private final long minParallelSpanMillis;
  private final ParallelSlices slices;

  /**
   * A loader that reads selections of every time span in parallel.
   *
   * @param workers runs the decoding tasks
   * @param helpers how many tasks to hand to {@code workers} per batch (0 reads sequentially)
   */
  SeriesLoader(Executor workers, int helpers) {
    this(workers, helpers, 0);
  }

  /** As {@link #SeriesLoader(Executor, int)}, reading selections over fewer than {@code minParallelSpanMillis} sequentially. */
  SeriesLoader(Executor workers, int helpers, long minParallelSpanMillis) {
    this.workers = workers;
    this.helpers = helpers;
    this.minParallelSpanMillis = minParallelSpanMillis;
    this.slices = helpers == 0 ? ParallelSlices.SEQUENTIAL : new ParallelSlices(workers, helpers);
  }

  /** Runs slices of other per-query work on the same threads as the decoding. */
  ParallelSlices slices() {
    return slices;
  }

  /** Selections spanning less than this are read sequentially. */
  long minParallelSpanMillis() {
    return minParallelSpanMillis;
  }

  /** Whether selections of {@link #BATCH} series or more are read on worker threads too. */
  boolean parallel() {
    return helpers > 0;
  }

  /**
   * Loads each series of {@code set} with samples in [mint, maxt] (see {@link SampleBuffer#load})
   * and passes it to {@code visitor}, in order; {@code own} is the buffer of sequential reads.
   * {@code resolveHints} is set on every buffer used (see {@link SampleBuffer#resolveHints}).
   */
  void forEach(SeriesSet set, long mint, long maxt, boolean dropStale, boolean resolveHints, SampleBuffer own,
      QueryControl control, Visitor visitor) {
    forEach(set, mint, maxt, dropStale, resolveHints, own, control, null,
        (Series s, SampleBuffer b, Object r) -> visitor.visit(s, b));
  }

  /**
   * As {@link #forEach(SeriesSet, long, long, boolean, boolean, SampleBuffer, QueryControl,
   * Visitor)}, and in parallel batches also runs a kernel from {@code kernels} (null: none) on each
   * series right after decoding it, on the same thread; the visitor gets its result.
   */
  <R> void forEach(SeriesSet set, long mint, long maxt, boolean dropStale, boolean resolveHints, SampleBuffer own,
      QueryControl control, Supplier<? extends Kernel<R>> kernels, ResultVisitor<R> visitor) {
    own.resolveHints = resolveHints;
    if (helpers == 0 || maxt - mint < minParallelSpanMillis) {
      sequential(set, mint, maxt, dropStale, own, control, visitor);
      return;
    }
    Series[] batch = new Series[BATCH];
    int n = fill(set, batch);
    if (n < BATCH) {
      for (int i = 0; i < n; i++) {
        control.check();
        own.load(batch[i], mint, maxt, dropStale);
        visitor.visit(batch[i], own, null);
      }
      return;
    }
    Batch<R> current = new Batch<>(batch, resolveHints, own.reuseHistograms);
    current.n = n;
    Batch<R> upcoming = new Batch<>(new Series[BATCH], resolveHints, own.reuseHistograms);
    control.check();
    Loading loading = start(current, mint, maxt, dropStale, kernels);
    loading.finish();
    while (current.n > 0) {
      // The workers decode the next batch while this thread visits the current one.
      upcoming.n = fill(set, upcoming.series);
      Loading next = upcoming.n > 0 ? start(upcoming, mint, maxt, dropStale, kernels) : null;
      try {
        current.visit(control, visitor);
      } finally {
        if (next != null) {
          next.finish();
        }
      }
      Batch<R> t = current;
      current = upcoming;
      upcoming = t;
    }
  }

  /** One batch of series with their buffers, kernel results and failures. */
  private static final class Batch<R> {
    final Series[] series;
    final SampleBuffer[] buffers = new SampleBuffer[BATCH];
    final R[] results;
    final RuntimeException[] failures = new RuntimeException[BATCH];
    int n;

    @SuppressWarnings("unchecked")
    Batch(Series[] series, boolean resolveHints, boolean reuseHistograms) {
      this.series = series;
      this.results = (R[]) new Object[BATCH];
      for (int i = 0; i < BATCH; i++) {
        buffers[i] = new SampleBuffer();
        buffers[i].resolveHints = resolveHints;
        buffers[i].reuseHistograms = reuseHistograms;
      }
    }

    /** Visits the decoded series in order, throwing a series' failure when its turn comes. */
    void visit(QueryControl control, ResultVisitor<R> visitor) {
      for (int i = 0; i < n; i++) {
        control.check();
        if (failures[i] != null) {
          RuntimeException e = failures[i];
          failures[i] = null;
          throw e;
        }
        visitor.visit(series[i], buffers[i], results[i]);
        series[i] = null;
        results[i] = null;
      }
    }
  }

  /** The decoding of one batch, started on the helpers. */
  private static final class Loading {
    private final Runnable task;
    /** Counts the batch's series down as each one is done, by whichever thread took it. */
    private final CountDownLatch done;

    Loading(Runnable task, CountDownLatch done) {
      this.task = task;
      this.done = done;
    }

    /**
     * Decodes what is left on this thread, then waits until every series a helper took is done.
     * A helper that has not started yet (its thread busy or not scheduled) is not waited for: it
     * finds no series left when it runs, and touches nothing.
     */
    void finish() {
      task.run();
      Latches.awaitUninterruptibly(done);
    }
  }

  /**
   * Starts decoding series [0, n) of a batch into its buffers (and running a kernel on each) on
   * the helpers; {@link Loading#finish} completes it. A series that fails leaves its exception in
   * the batch, to be thrown when the visit reaches it, as a sequential read would.
   */
  private <R> Loading start(Batch<R> b, long mint, long maxt, boolean dropStale,
      Supplier<? extends Kernel<R>> kernels) {
    AtomicInteger next = new AtomicInteger();
    int n = b.n;
    CountDownLatch done = new CountDownLatch(n);
    Runnable task = () -> {
      Kernel<R> kernel = null;
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        try {
          b.buffers[i].load(b.series[i], mint, maxt, dropStale);
          if (kernels != null) {
            if (kernel == null) {
              kernel = kernels.get();
            }
            b.results[i] = kernel.compute(b.series[i], b.buffers[i]);
          }
        } catch (RuntimeException e) {
          b.failures[i] = e;
        } finally {
          done.countDown();
        }
      }
    };
    for (int h = 0; h < helpers; h++) {
      try {
        workers.execute(task);
      } catch (RejectedExecutionException e) {
        break;
      }
    }
    return new Loading(task, done);
  }

  private static <R> void sequential(SeriesSet set, long mint, long maxt, boolean dropStale, SampleBuffer own,
      QueryControl control, ResultVisitor<R> visitor) {
    while (set.next()) {
      control.check();
      Series s = set.at();
      own.load(s, mint, maxt, dropStale);
      visitor.visit(s, own, null);
    }
  }

  private static int fill(SeriesSet set, Series[] batch) {
    int n = 0;
    while (n < batch.length && set.next()) {
      batch[n++] = set.at();
    }
    return n;
  }
}
