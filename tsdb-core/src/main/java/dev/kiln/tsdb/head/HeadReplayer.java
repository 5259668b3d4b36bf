package dev.kiln.tsdb.head;

import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.wal.WalRecords;
import dev.kiln.tsdb.wal.WalReplayHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Replays write-ahead log records into a {@link Head}. Series records are applied at once on the
 * reading thread; samples are sharded by series ref over {@code workers} threads (one queue each,
 * so every series' samples stay in log order) in batches. Call {@link #finish()} at the end.
 * Used by one reading thread.
 */
public final class HeadReplayer implements WalReplayHandler {
  private static final int BATCH = 8192;
  private static final int IN_FLIGHT_PER_WORKER = 4;

  private final Head head;
  private final int workers;
  private final ExecutorService[] pools;
  private final Semaphore inFlight;
  private final List<Future<?>> pending = new ArrayList<>();
  private final long[][] refs;
  private final long[][] ts;
  private final double[][] vs;
  private final int[] counts;
  /** Pending histogram samples per shard, applied in log order relative to the floats. */
  private final HistogramBatch[] histograms;
  private java.util.Map<Long, MmapChunkStore.LoadedChunks> loadedChunks;

  /** A replayer with {@code workers} apply threads (1: apply on the reading thread). */
  public HeadReplayer(Head head, int workers) {
    this.head = head;
    this.workers = Math.max(1, workers);
    this.refs = new long[this.workers][BATCH];
    this.ts = new long[this.workers][BATCH];
    this.vs = new double[this.workers][BATCH];
    this.counts = new int[this.workers];
    this.histograms = new HistogramBatch[this.workers];
    for (int i = 0; i < this.workers; i++) {
      histograms[i] = new HistogramBatch();
    }
    this.inFlight = new Semaphore(this.workers * IN_FLIGHT_PER_WORKER);
    this.pools = new ExecutorService[this.workers > 1 ? this.workers : 0];
    for (int i = 0; i < pools.length; i++) {
      pools[i] =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "kiln-wal-replay");
                t.setDaemon(true);
                return t;
              });
    }
  }

  @Override
  public void series(WalRecords.SeriesRecord s) {
    head.replaySeries(s.ref(), s.labels());
    if (loadedChunks != null) {
      MmapChunkStore.LoadedChunks c = loadedChunks.remove(s.ref());
      if (c != null) {
        head.attachReplayedChunks(s.ref(), c);
      }
    }
  }

  /**
   * Chunks found in head chunk files by series ref; each is attached when its series record is
   * replayed (before any of the series' logged samples, which come after its record).
   */
  public void useLoadedChunks(java.util.Map<Long, MmapChunkStore.LoadedChunks> chunks) {
    this.loadedChunks = chunks;
  }

  /** Histogram samples buffered for one shard. */
  private static final class HistogramBatch {
    long[] refs = new long[256];
    long[] ts = new long[256];
    dev.kiln.tsdb.histogram.Histogram[] hs = new dev.kiln.tsdb.histogram.Histogram[256];
    dev.kiln.tsdb.histogram.FloatHistogram[] fhs = new dev.kiln.tsdb.histogram.FloatHistogram[256];
    int n;
  }

  @Override
  public void histogram(long ref, long t, dev.kiln.tsdb.histogram.Histogram h) {
    addHistogram(ref, t, h, null);
  }

  @Override
  public void floatHistogram(long ref, long t, dev.kiln.tsdb.histogram.FloatHistogram fh) {
    addHistogram(ref, t, null, fh);
  }

  private void addHistogram(long ref, long t, dev.kiln.tsdb.histogram.Histogram h,
      dev.kiln.tsdb.histogram.FloatHistogram fh) {
    int shard = (int) Math.floorMod(head.replayTargetRef(ref), (long) workers);
    if (counts[shard] > 0) {
      flush(shard); // keep the series' float and histogram samples in log order
    }
    HistogramBatch b = histograms[shard];
    b.refs[b.n] = ref;
    b.ts[b.n] = t;
    b.hs[b.n] = h;
    b.fhs[b.n] = fh;
    b.n++;
    if (b.n == b.refs.length) {
      flushHistograms(shard);
    }
  }

  private void flushHistograms(int shard) {
    HistogramBatch b = histograms[shard];
    if (b.n == 0) {
      return;
    }
    histograms[shard] = new HistogramBatch();
    if (pools.length == 0) {
      head.replayHistograms(b.refs, b.ts, b.hs, b.fhs, b.n);
      return;
    }
    inFlight.acquireUninterruptibly();
    pending.add(
        pools[shard].submit(
            () -> {
              try {
                head.replayHistograms(b.refs, b.ts, b.hs, b.fhs, b.n);
              } finally {
                inFlight.release();
              }
            }));
  }

  @Override
  public void sample(long ref, long t, double v) {
    int shard = (int) Math.floorMod(head.replayTargetRef(ref), (long) workers);
    if (histograms[shard].n > 0) {
      flushHistograms(shard);
    }
    int i = counts[shard];
    refs[shard][i] = ref;
    ts[shard][i] = t;
    vs[shard][i] = v;
    counts[shard] = i + 1;
    if (i + 1 == BATCH) {
      flush(shard);
    }
  }

  @Override
  public void tombstone(WalRecords.Tombstone tombstone) {
    // The head keeps no tombstones; deletions apply to persistent blocks.
  }

  private void flush(int shard) {
    int n = counts[shard];
    if (n == 0) {
      return;
    }
    counts[shard] = 0;
    if (pools.length == 0) {
      head.replaySamples(refs[shard], ts[shard], vs[shard], n);
      return;
    }
    long[] r = refs[shard];
    long[] t = ts[shard];
    double[] v = vs[shard];
    refs[shard] = new long[BATCH];
    ts[shard] = new long[BATCH];
    vs[shard] = new double[BATCH];
    inFlight.acquireUninterruptibly();
    pending.add(
        pools[shard].submit(
            () -> {
              try {
                head.replaySamples(r, t, v, n);
              } finally {
                inFlight.release();
              }
            }));
    if (pending.size() > 1024) {
      pending.removeIf(Future::isDone);
    }
  }

  /** Applies what is buffered, waits for the workers, stops them and finishes the replay. */
  public void finish() {
    try {
      for (int shard = 0; shard < workers; shard++) {
        flush(shard);
        flushHistograms(shard);
      }
      for (Future<?> f : pending) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new StorageException("replay write-ahead log: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StorageException("replay write-ahead log interrupted", e);
        }
      }
    } finally {
      for (ExecutorService p : pools) {
        p.shutdownNow();
      }
    }
    head.replayDone();
  }
}
