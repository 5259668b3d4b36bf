package dev.kiln.tsdb.db;

import dev.kiln.tsdb.wal.CommitLog;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.HeadReplayer;
import dev.kiln.tsdb.head.MmapChunkStore;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.CommitListener;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Storage;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.wal.Wal;
import dev.kiln.tsdb.wal.WalRecords;
import dev.kiln.tsdb.wal.WalReplayHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database in one directory: the head and its write-ahead log ({@code wal/}) behind the
 * {@link Storage} interface. {@link #open} replays the log; {@link #close} flushes it.
 *
 * <p>Life cycle: {@link #create} returns a database that is not ready yet (its status can be
 * shown while starting); {@link #start} replays and makes it ready; {@link #open} does both.
 * Reads and writes before it is ready throw {@link StorageException}. Thread-safe. A lock file
 * keeps a second process out of the directory.
 */
public final class Db implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(Db.class);
  /** Holds the head's last truncation time, so a restart does not revive older chunks. */
  static final String HEAD_STATE_FILE = "kiln_head_min_valid_time";

  private final Path dir;
  private final DbOptions options;
  private final FileIo io;
  private final Wal wal;
  private final Head head;
  private final MmapChunkStore chunks;
  private final FileChannel lock;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean ready;
  private volatile WalReplayStatus replayStatus;
  private volatile long replayMillis;
  private final dev.kiln.tsdb.compact.DbBlocks blocks;
  private java.util.concurrent.ScheduledExecutorService compactor;

  private Db(Path dir, DbOptions options, FileIo io, FileChannel lock) {
    this.dir = dir;
    this.options = options;
    this.io = io;
    this.lock = lock;
    this.chunks =
        new MmapChunkStore(
            io, dir.resolve("chunks_head"), options.headChunkFileBytes(), dir.resolve(HEAD_STATE_FILE));
    if (options.walEnabled()) {
      this.wal = Wal.open(io, dir.resolve("wal"), options.walSegmentBytes(), options.walSyncIntervalMillis(),
          options.walCompression());
      this.head = new Head(options.headOptions(), chunks, wal);
      this.replayStatus = new WalReplayStatus(0, 0, 0, false);
    } else {
      this.wal = null;
      this.head = new Head(options.headOptions(), chunks, CommitLog.NONE);
      this.replayStatus = WalReplayStatus.NONE;
    }
    this.blocks = new dev.kiln.tsdb.compact.DbBlocks(io, dir, head, wal, options.blockOptions());
  }

  /** Opens the database in {@code dir} (creating it if needed) and replays its log. */
  public static Db open(Path dir, DbOptions options) {
    Db db = create(dir, options, FileIo.DEFAULT);
    try {
      db.start();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /**
   * Locks and prepares the directory without replaying; call {@link #start()} next.
   *
   * @throws StorageException when the directory cannot be used or another process holds it
   */
  public static Db create(Path dir, DbOptions options, FileIo io) {
    FileChannel lock;
    try {
      io.createDirectories(dir);
      lock = io.tryLock(dir.resolve("lock"));
    } catch (IOException e) {
      throw new StorageException("open data directory " + dir + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      throw new StorageException("open data directory " + dir + ": locked by another process");
    }
    try {
      return new Db(dir, options, io, lock);
    } catch (RuntimeException e) {
      try {
        io.close(lock);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Replays the write-ahead log into the head and starts accepting writes. */
  public void start() {
    blocks.open();
    if (wal != null) {
      int[] range = wal.segmentRange();
      replayStatus = new WalReplayStatus(range[0], Math.max(range[1], range[0]), range[0], false);
      HeadReplayer replayer = new HeadReplayer(head, Runtime.getRuntime().availableProcessors());
      long minValid = chunks.persistedMinValidTime();
      head.restoreMinValidTime(minValid);
      java.util.Map<Long, MmapChunkStore.LoadedChunks> loaded = chunks.loadPreexisting(minValid);
      head.reserveRefsUpTo(chunks.maxSeriesRefInFiles());
      replayer.useLoadedChunks(loaded);
      Wal.ReplayStats stats;
      try {
        stats =
            wal.replay(
                new WalReplayHandler() {
                  @Override
                  public void series(WalRecords.SeriesRecord s) {
                    replayer.series(s);
                  }

                  @Override
                  public void sample(long ref, long t, double v) {
                    replayer.sample(ref, t, v);
                  }

                  @Override
                  public void histogram(long ref, long t, dev.kiln.tsdb.histogram.Histogram h) {
                    replayer.histogram(ref, t, h);
                  }

                  @Override
                  public void floatHistogram(long ref, long t, dev.kiln.tsdb.histogram.FloatHistogram h) {
                    replayer.floatHistogram(ref, t, h);
                  }

                  @Override
                  public void exemplar(WalRecords.ExemplarRecord e) {
                    head.replayExemplar(e.ref(), e.t(), e.v(), e.labels());
                  }

                  @Override
                  public void tombstone(WalRecords.Tombstone t) {
                    replayer.tombstone(t);
                    blocks.replayedTombstone(t);
                  }

                  @Override
                  public void segmentStarted(int current, int min, int max) {
                    replayStatus = new WalReplayStatus(min, max, current, false);
                  }
                });
      } finally {
        replayer.finish();
      }
      wal.startWriting();
      replayMillis = stats.elapsedMillis();
      WalReplayStatus s = replayStatus;
      replayStatus = new WalReplayStatus(s.min(), s.max(), s.max(), true);
      LOG.info(
          "database {} ready: series={} samples={} replay={}ms",
          dir, head.numSeries(), stats.samples(), stats.elapsedMillis());
    }
    chunks.dropPreexisting();
    blocks.afterReplay();
    ready = true;
    long every = options.compactionIntervalMillis();
    if (every > 0) {
      compactor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-compaction " + dir.getFileName());
        t.setDaemon(true);
        return t;
      });
      compactor.scheduleWithFixedDelay(this::compactInBackground, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  private void compactInBackground() {
    try {
      if (isReady()) {
        blocks.compact();
      }
    } catch (RuntimeException e) {
      LOG.error("compaction of {} failed: {}", dir, e.getMessage(), e);
    }
  }

  /**
   * Writes head ranges as blocks once the head spans 1.5 block ranges, compacts blocks by level
   * and applies retention, now (this also runs in the background). Returns the blocks written.
   */
  public int compact() {
    checkUsable();
    return blocks.compact();
  }

  /**
   * The open persistent blocks, sorted by time. tsdb-core internals, for compaction tests and
   * benchmarks; other modules read {@link #blockInfos()}.
   */
  public java.util.List<dev.kiln.tsdb.block.Block> blocks() {
    return blocks.blocks();
  }

  /** Block directories that failed to open (name → reason); they are skipped and left on disk. */
  public java.util.Map<String, String> corruptedBlocks() {
    return blocks.store().corrupted();
  }

  /**
   * Deletes the samples of series matching all matchers within [mint, maxt] (tombstones in blocks
   * and the head; the WAL records the head's). Returns the number of series affected.
   */
  public int deleteSeries(long mintMillis, long maxtMillis, dev.kiln.tsdb.model.LabelMatcher... matchers) {
    checkUsable();
    return blocks.deleteSeries(mintMillis, maxtMillis, matchers);
  }

  /** Rewrites blocks that have tombstones without the deleted data. */
  public void cleanTombstones() {
    checkUsable();
    blocks.cleanTombstones();
  }

  /** Hard-links every block into {@code target}, plus the head written as a block when asked. */
  public void snapshot(Path target, boolean withHead) {
    checkUsable();
    blocks.snapshot(target, withHead);
  }

  public Path dir() {
    return dir;
  }

  public DbOptions options() {
    return options;
  }

  /**
   * The head. tsdb-core internals, for compaction tests and benchmarks; other modules use the
   * {@link Storage} interface, {@link #headStats()}, {@link #metrics()} and {@link
   * #addCommitListener}.
   */
  public Head head() {
    return head;
  }

  /** The write-ahead log, or null when disabled. tsdb-core internals, as {@link #head()}. */
  public Wal wal() {
    return wal;
  }

  @Override
  public Appender appender() {
    checkUsable();
    return head.appender();
  }

  @Override
  public Querier querier(long mintMillis, long maxtMillis) {
    checkUsable();
    return blocks.querier(mintMillis, maxtMillis);
  }

  /**
   * Maps the head chunk files and the blocks' files afresh, so that the file pages that writes and
   * queries made resident leave the process's resident memory once the old mappings are released
   * by the next collection that finds them unreachable (a full one, as they are long-lived). The pages stay in the page
   * cache; later reads map them in again. Safe at any time: a read in progress keeps the mapping it
   * has.
   */
  public void releaseResidentPages() {
    if (closed.get()) {
      return;
    }
    chunks.releaseResidentPages();
    for (dev.kiln.tsdb.block.Block b : blocks.blocks()) {
      try {
        b.releaseResidentPages();
      } catch (RuntimeException e) {
        // A block that cannot be mapped again keeps its current mapping; its next read reports the problem.
      }
    }
  }

  /**
   * Takes the file pages that writes and queries made resident (head chunk files, the blocks'
   * index and chunk files) out of the process's resident set at once, keeping the mappings (see
   * {@link dev.kiln.tsdb.io.ResidentPages}): no collection is needed, the pages stay in the page
   * cache, and later reads map them in again. Safe at any time, reads and appends included.
   * Returns false where the JVM cannot (then {@link #releaseResidentPages()} is the way).
   */
  public boolean dropResidentPages() {
    if (closed.get() || !io.canDropResidentPages()) {
      return false;
    }
    boolean ok = chunks.dropResidentPages();
    for (dev.kiln.tsdb.block.Block b : blocks.blocks()) {
      ok &= b.dropResidentPages();
    }
    return ok;
  }

  /** Whether {@link #dropResidentPages()} can do anything on this JVM. */
  public boolean canDropResidentPages() {
    return io.canDropResidentPages();
  }

  /** Head cardinality statistics with the top 10 of each list, as /api/v1/status/tsdb. */
  public HeadStats headStats() {
    return HeadStatsCollector.collect(head, 10);
  }

  /**
   * Registers a listener told about every batch of float samples committed from now on, right
   * after it is in the write-ahead log (see {@link CommitListener}): the feed of remote write.
   */
  public void addCommitListener(CommitListener listener) {
    head.addCommitListener(listener);
  }

  /** Stops telling {@code listener} about commits. */
  public void removeCommitListener(CommitListener listener) {
    head.removeCommitListener(listener);
  }

  /** What the persistent blocks' {@code meta.json} files say, sorted by time. */
  public java.util.List<BlockInfo> blockInfos() {
    return blocks.blocks().stream().map(b -> BlockInfo.of(b.meta())).toList();
  }

  /**
   * Self-monitoring values for {@code /metrics}: head series, chunks, samples and rejections,
   * time range, WAL fsyncs (a {@code _sum}/{@code _count} pair), corruptions, checkpoints and the
   * replay duration. Cheap except {@code prometheus_tsdb_head_chunks}, which visits every series.
   */
  public java.util.List<DbMetric> metrics() {
    var c = head.counters();
    java.util.List<DbMetric> out = new java.util.ArrayList<>();
    out.add(new DbMetric("prometheus_tsdb_head_series", "Total number of series in the head block.", false, head.numSeries()));
    out.add(new DbMetric("prometheus_tsdb_head_series_created_total", "Total number of series created in the head", true, c.seriesCreated()));
    out.add(new DbMetric("prometheus_tsdb_head_series_removed_total", "Total number of series removed in the head", true, c.seriesRemoved()));
    out.add(new DbMetric("prometheus_tsdb_head_samples_appended_total", "Total number of appended samples.", true, c.samplesAppended()));
    out.add(new DbMetric("prometheus_tsdb_out_of_order_samples_total", "Total number of out of order samples ingestion failed attempts.", true, c.outOfOrderSamples()));
    out.add(new DbMetric("prometheus_tsdb_out_of_bound_samples_total", "Total number of out of bound samples ingestion failed attempts.", true, c.outOfBoundsSamples()));
    out.add(new DbMetric("kiln_tsdb_duplicate_samples_total", "Samples rejected for a duplicate timestamp with a different value.", true, c.duplicateSamples()));
    out.add(new DbMetric("prometheus_tsdb_head_chunks", "Total number of chunks in the head block.", false, head.chunkCount()));
    out.add(new DbMetric("prometheus_tsdb_head_chunks_created_total", "Total number of chunks created in the head", true, c.chunksCreated()));
    out.add(new DbMetric("prometheus_tsdb_head_truncations_total", "Total number of head truncations attempted.", true, c.truncations()));
    long min = head.minTime();
    long max = head.maxTime();
    out.add(new DbMetric("prometheus_tsdb_head_min_time", "Minimum time bound of the head block.", false, min == Long.MAX_VALUE ? 0 : min));
    out.add(new DbMetric("prometheus_tsdb_head_max_time", "Maximum timestamp of the head block.", false, max == Long.MIN_VALUE ? 0 : max));
    if (wal != null) {
      var w = wal.counters();
      out.add(new DbMetric("prometheus_tsdb_wal_fsync_duration_seconds_sum", "Time spent in WAL fsyncs, seconds.", true, w.fsyncSeconds()));
      out.add(new DbMetric("prometheus_tsdb_wal_fsync_duration_seconds_count", "Number of WAL fsyncs.", true, w.fsyncs()));
      out.add(new DbMetric("prometheus_tsdb_wal_corruptions_total", "Total number of WAL corruptions.", true, w.corruptions()));
      out.add(new DbMetric("prometheus_tsdb_checkpoint_creations_total", "Total number of checkpoint creations attempted.", true, w.checkpoints()));
      out.add(new DbMetric("kiln_tsdb_wal_segments_deleted_total", "WAL segments removed after checkpoints or repairs.", true, w.segmentsDeleted()));
      out.add(new DbMetric("kiln_tsdb_wal_records_written_total", "WAL records written.", true, w.recordsWritten()));
      out.add(new DbMetric("prometheus_tsdb_wal_segment_current", "Write log segment index that TSDB is currently writing to.", false, wal.currentSegmentOrZero()));
    }
    var bc = blocks.counters();
    out.add(new DbMetric("prometheus_tsdb_blocks_loaded", "Number of currently loaded data blocks", false, blocks.blocks().size()));
    out.add(new DbMetric("prometheus_tsdb_storage_blocks_bytes", "The number of bytes that are currently used for local storage by all blocks.", false, blocks.blocksBytes()));
    out.add(new DbMetric("prometheus_tsdb_compactions_total", "Total number of compactions that were executed for the partition.", true, bc.compactions()));
    out.add(new DbMetric("prometheus_tsdb_compactions_failed_total", "Total number of compactions that failed for the partition.", true, bc.compactionsFailed()));
    out.add(new DbMetric("prometheus_tsdb_time_retentions_total", "The number of times that blocks were deleted because the maximum time limit was exceeded.", true, bc.timeRetentions()));
    out.add(new DbMetric("prometheus_tsdb_size_retentions_total", "The number of times that blocks were deleted because the maximum number of bytes was exceeded.", true, bc.sizeRetentions()));
    out.add(new DbMetric("prometheus_tsdb_retention_limit_bytes", "Max number of bytes to be retained in the tsdb blocks, configured 0 means disabled", false, options.retentionBytes()));
    var ex = head.exemplars().stats();
    out.add(new DbMetric("prometheus_tsdb_exemplar_exemplars_appended_total", "Total number of appended exemplars.", true, ex.appended()));
    out.add(new DbMetric("prometheus_tsdb_exemplar_exemplars_in_storage", "Number of exemplars currently in circular storage.", false, ex.inStorage()));
    out.add(new DbMetric("prometheus_tsdb_exemplar_last_exemplars_timestamp_seconds",
        "The timestamp of the oldest exemplar stored in circular storage. Useful to check for what timerange the current exemplar buffer limit allows. This usually means the last timestampfor all exemplars for a typical setup. This is not true though if one of the series timestamp is in future compared to rest series.",
        false, ex.lastTimestampSeconds()));
    out.add(new DbMetric("prometheus_tsdb_exemplar_max_exemplars", "Total number of exemplars the exemplar storage can store, resizeable.", false, ex.maxExemplars()));
    out.add(new DbMetric("prometheus_tsdb_exemplar_out_of_order_exemplars_total", "Total number of out of order exemplar ingestion failed attempts.", true, ex.outOfOrder()));
    out.add(new DbMetric("prometheus_tsdb_exemplar_series_with_exemplars_in_storage", "Number of series with exemplars currently in circular storage.", false, ex.seriesInStorage()));
    out.add(new DbMetric("prometheus_tsdb_data_replay_duration_seconds", "Time taken to replay the data on disk.", false, replayMillis / 1000.0));
    return out;
  }

  /**
   * Sets the number of exemplars kept in memory (Prometheus's {@code storage.exemplars.max_exemplars}
   * with {@code --enable-feature=exemplar-storage}); 0 or less keeps none, which is the initial size.
   * Call before {@link #start()} so that the log's exemplars are replayed; later calls keep the
   * newest exemplars that fit. Returns how many exemplars were kept.
   */
  public int resizeExemplars(long maxExemplars) {
    return head.exemplars().resize(maxExemplars);
  }

  /** Reads the stored exemplars. */
  public dev.kiln.tsdb.storage.ExemplarQuerier exemplarQuerier() {
    return head.exemplars();
  }

  /** Progress of the write-ahead log replay. */
  public WalReplayStatus walReplayStatus() {
    return replayStatus;
  }

  /** True once start-up (replay) has finished and until close. */
  public boolean isReady() {
    return ready && !closed.get();
  }

  private void checkUsable() {
    if (closed.get()) {
      throw new StorageException("database " + dir + " is closed");
    }
    if (!ready) {
      throw new StorageException("database " + dir + " is starting (replaying its log)");
    }
  }

  /** Flushes and syncs the write-ahead log, then releases files and the directory lock. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (compactor != null) {
        // No interrupt: a compaction round in progress finishes (an interrupt would close the
        // files it writes, WAL checkpoint included).
        compactor.shutdown();
        try {
          compactor.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      blocks.close();
      if (wal != null) {
        wal.close();
      }
      head.close();
    } finally {
      try {
        io.close(lock);
      } catch (IOException e) {
        LOG.warn("release lock of {}: {}", dir, e.getMessage());
      }
    }
  }
}
