package dev.kiln.tsdb.db;

import dev.kiln.tsdb.head.CommitLog;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.HeadReplayer;
import dev.kiln.tsdb.head.HeadStats;
import dev.kiln.tsdb.head.MmapChunkStore;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.Appender;
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

  private Db(Path dir, DbOptions options, FileIo io, FileChannel lock) {
    this.dir = dir;
    this.options = options;
    this.io = io;
    this.lock = lock;
    this.chunks = new MmapChunkStore(io, dir.resolve("chunks_head"), options.headChunkFileBytes());
    if (options.walEnabled()) {
      this.wal = Wal.open(io, dir.resolve("wal"), options.walSegmentBytes());
      this.head = new Head(options.headOptions(), chunks, wal);
      this.replayStatus = new WalReplayStatus(0, 0, 0, false);
    } else {
      this.wal = null;
      this.head = new Head(options.headOptions(), chunks, CommitLog.NONE);
      this.replayStatus = WalReplayStatus.NONE;
    }
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
    if (wal != null) {
      int[] range = wal.segmentRange();
      replayStatus = new WalReplayStatus(range[0], Math.max(range[1], range[0]), range[0], false);
      HeadReplayer replayer = new HeadReplayer(head, Runtime.getRuntime().availableProcessors());
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
                  public void tombstone(WalRecords.Tombstone t) {
                    replayer.tombstone(t);
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
      WalReplayStatus s = replayStatus;
      replayStatus = new WalReplayStatus(s.min(), s.max(), s.max(), true);
      LOG.info(
          "database {} ready: series={} samples={} replay={}ms",
          dir, head.numSeries(), stats.samples(), stats.elapsedMillis());
    }
    chunks.dropPreexisting();
    ready = true;
  }

  public Path dir() {
    return dir;
  }

  public DbOptions options() {
    return options;
  }

  /** The head, for block compaction and statistics. */
  public Head head() {
    return head;
  }

  /** The write-ahead log, or null when disabled. */
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
    return head.querier(mintMillis, maxtMillis);
  }

  /** Head cardinality statistics with the top 10 of each list, as /api/v1/status/tsdb. */
  public HeadStats headStats() {
    return head.stats(10);
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
