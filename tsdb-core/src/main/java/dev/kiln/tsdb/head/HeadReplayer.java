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
  private java.util.Map<Long, MmapChunkStore.LoadedChunks> loadedChunks;

  /** A replayer with {@code workers} apply threads (1: apply on the reading thread). */
  public HeadReplayer(Head head, int workers) {
    this.head = head;
    this.workers = Math.max(1, workers);
    this.refs = new long[this.workers][BATCH];
    this.ts = new long[this.workers][BATCH];
    this.vs = new double[this.workers][BATCH];
    this.counts = new int[this.workers];
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

  @Override
  public void sample(long ref, long t, double v) {
    int shard = (int) Math.floorMod(head.replayTargetRef(ref), (long) workers);
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
