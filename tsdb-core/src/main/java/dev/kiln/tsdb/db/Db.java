package dev.kiln.tsdb.db;

import dev.kiln.tsdb.head.CommitLog;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.HeadStats;
import dev.kiln.tsdb.head.HeapChunkStore;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Storage;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The database in one directory: the head (with its write-ahead log once enabled) behind the
 * {@link Storage} interface. Thread-safe. Close it to flush and release files.
 */
public final class Db implements Storage {
  private final Path dir;
  private final DbOptions options;
  private final Head head;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile WalReplayStatus replayStatus = WalReplayStatus.NONE;

  private Db(Path dir, DbOptions options, Head head) {
    this.dir = dir;
    this.options = options;
    this.head = head;
  }

  /**
   * Opens (creating if needed) the database in {@code dir}.
   *
   * @throws StorageException when the directory cannot be created or read
   */
  public static Db open(Path dir, DbOptions options) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("create data directory " + dir + ": " + e.getMessage(), e);
    }
    Head head = new Head(options.headOptions(), new HeapChunkStore(), CommitLog.NONE);
    return new Db(dir, options, head);
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

  @Override
  public Appender appender() {
    checkOpen();
    return head.appender();
  }

  @Override
  public Querier querier(long mintMillis, long maxtMillis) {
    checkOpen();
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

  /** True once start-up (replay) has finished and the database serves reads and writes. */
  public boolean isReady() {
    return replayStatus.done() && !closed.get();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StorageException("database " + dir + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      head.close();
    }
  }
}
