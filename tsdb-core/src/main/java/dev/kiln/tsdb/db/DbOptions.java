package dev.kiln.tsdb.db;

import dev.kiln.tsdb.head.HeadOptions;

/**
 * Immutable settings of a {@link Db}. Build with {@link #builder()}; new settings are added as
 * builder methods with defaults, so existing callers keep compiling.
 */
public final class DbOptions {
  /** Default WAL segment size: 128 MiB, as Prometheus. */
  public static final long DEFAULT_WAL_SEGMENT_BYTES = 128L * 1024 * 1024;

  private final HeadOptions head;
  private final long walSegmentBytes;
  private final long walSyncIntervalMillis;
  private final boolean walEnabled;
  private final dev.kiln.tsdb.wal.WalCompression walCompression;
  private final int headChunkFileBytes;
  private final long retentionMillis;
  private final long retentionBytes;
  private final long maxBlockMillis;
  private final long compactionIntervalMillis;

  private DbOptions(Builder b) {
    this.retentionMillis = b.retentionMillis;
    this.retentionBytes = b.retentionBytes;
    this.maxBlockMillis = b.maxBlockMillis;
    this.compactionIntervalMillis = b.compactionIntervalMillis;
    this.head = new HeadOptions(b.chunkRangeMillis, b.samplesPerChunk);
    this.walSegmentBytes = b.walSegmentBytes;
    this.walSyncIntervalMillis = b.walSyncIntervalMillis;
    this.walEnabled = b.walEnabled;
    this.walCompression = b.walCompression;
    this.headChunkFileBytes = b.headChunkFileBytes;
  }

  /**
   * Defaults: 2h head chunk range, 120 samples per chunk, 128 MiB WAL segments, WAL on and
   * Snappy-compressed.
   */
  public static DbOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.chunkRangeMillis = head.chunkRangeMillis();
    b.samplesPerChunk = head.samplesPerChunk();
    b.walSegmentBytes = walSegmentBytes;
    b.walSyncIntervalMillis = walSyncIntervalMillis;
    b.walEnabled = walEnabled;
    b.walCompression = walCompression;
    b.headChunkFileBytes = headChunkFileBytes;
    b.retentionMillis = retentionMillis;
    b.retentionBytes = retentionBytes;
    b.maxBlockMillis = maxBlockMillis;
    b.compactionIntervalMillis = compactionIntervalMillis;
    return b;
  }

  public HeadOptions headOptions() {
    return head;
  }

  public long walSegmentBytes() {
    return walSegmentBytes;
  }

  /**
   * How often the WAL is fsynced, milliseconds: 0 (the default) fsyncs before every commit
   * returns; a positive interval fsyncs on a timer, as Prometheus does (see {@code Wal}).
   */
  public long walSyncIntervalMillis() {
    return walSyncIntervalMillis;
  }

  public boolean walEnabled() {
    return walEnabled;
  }

  /** How WAL records are written (Snappy by default, as Prometheus's {@code --storage.tsdb.wal-compression}). */
  public dev.kiln.tsdb.wal.WalCompression walCompression() {
    return walCompression;
  }

  /** Whether WAL records are Snappy-compressed. */
  public boolean walCompressionEnabled() {
    return walCompression == dev.kiln.tsdb.wal.WalCompression.SNAPPY;
  }

  /** Size of each memory-mapped head chunk file, bytes. */
  public int headChunkFileBytes() {
    return headChunkFileBytes;
  }

  /** Time retention of blocks, milliseconds (default 15 days; 0 disables). */
  public long retentionMillis() {
    return retentionMillis;
  }

  /** Size retention of blocks plus WAL and head chunks, bytes (0 disables, the default). */
  public long retentionBytes() {
    return retentionBytes;
  }

  /** Interval of background compaction and retention, milliseconds (0: only on {@code Db.compact()}). */
  public long compactionIntervalMillis() {
    return compactionIntervalMillis;
  }

  /** Block compaction and retention settings derived from these options. */
  public dev.kiln.tsdb.compact.BlockOptions blockOptions() {
    long max = maxBlockMillis > 0 ? maxBlockMillis
        : dev.kiln.tsdb.compact.BlockOptions.defaultMaxBlockMillis(retentionMillis);
    return new dev.kiln.tsdb.compact.BlockOptions(
        head.chunkRangeMillis(), Math.max(max, head.chunkRangeMillis()), retentionMillis, retentionBytes);
  }

  /** Mutable builder; single-thread. */
  public static final class Builder {
    private long chunkRangeMillis = HeadOptions.DEFAULT.chunkRangeMillis();
    private int samplesPerChunk = HeadOptions.DEFAULT.samplesPerChunk();
    private long walSegmentBytes = DEFAULT_WAL_SEGMENT_BYTES;
    private long walSyncIntervalMillis;
    private boolean walEnabled = true;
    private dev.kiln.tsdb.wal.WalCompression walCompression = dev.kiln.tsdb.wal.WalCompression.SNAPPY;
    private int headChunkFileBytes = 128 * 1024 * 1024;
    private long retentionMillis = dev.kiln.tsdb.compact.BlockOptions.DEFAULT_RETENTION_MILLIS;
    private long retentionBytes;
    private long maxBlockMillis;
    private long compactionIntervalMillis = 60_000;

    /** {@code --storage.tsdb.retention.time}, milliseconds; 0 disables time retention. */
    public Builder retentionMillis(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("retention time must not be negative: " + ms);
      }
      this.retentionMillis = ms;
      return this;
    }

    /** {@code --storage.tsdb.retention.size}, bytes; 0 disables size retention. */
    public Builder retentionBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("retention size must not be negative: " + bytes);
      }
      this.retentionBytes = bytes;
      return this;
    }

    /** {@code --storage.tsdb.max-block-duration}, milliseconds; 0 derives it from the retention. */
    public Builder maxBlockMillis(long ms) {
      this.maxBlockMillis = ms;
      return this;
    }

    /** How often compaction and retention run in the background; 0 disables the background task. */
    public Builder compactionIntervalMillis(long ms) {
      this.compactionIntervalMillis = ms;
      return this;
    }

    /** The head's block range (Prometheus's min block duration), milliseconds. */
    public Builder chunkRangeMillis(long ms) {
      this.chunkRangeMillis = ms;
      return this;
    }

    public Builder samplesPerChunk(int n) {
      this.samplesPerChunk = n;
      return this;
    }

    /** Size at which a WAL segment is closed and a new one started, bytes (≥ 64 KiB). */
    public Builder walSegmentBytes(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("WAL segment size must be at least 64 KiB: " + bytes);
      }
      this.walSegmentBytes = bytes;
      return this;
    }

    /**
     * WAL fsync interval, milliseconds: 0 fsyncs every commit before it returns (the default); a
     * positive interval writes every commit to the file before it returns and fsyncs on a timer,
     * so an operating-system crash or power loss may lose the last interval's commits.
     */
    public Builder walSyncIntervalMillis(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("WAL sync interval must not be negative: " + ms);
      }
      this.walSyncIntervalMillis = ms;
      return this;
    }

    /** Whether commits go to a write-ahead log (off: data lives only in memory). */
    public Builder walEnabled(boolean enabled) {
      this.walEnabled = enabled;
      return this;
    }

    /**
     * How WAL records (segments and checkpoints) are written: {@code SNAPPY} (the default, as
     * Prometheus's {@code --storage.tsdb.wal-compression}) or {@code NONE}. Replay reads both.
     */
    public Builder walCompression(dev.kiln.tsdb.wal.WalCompression compression) {
      this.walCompression = java.util.Objects.requireNonNull(compression, "compression");
      return this;
    }

    /** {@code --storage.tsdb.wal-compression}: {@code SNAPPY} when true, {@code NONE} when false. */
    public Builder walCompression(boolean snappy) {
      return walCompression(snappy ? dev.kiln.tsdb.wal.WalCompression.SNAPPY : dev.kiln.tsdb.wal.WalCompression.NONE);
    }

    /** Size of each memory-mapped head chunk file (Prometheus: 128 MiB), at least 1 KiB. */
    public Builder headChunkFileBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("head chunk file size must be at least 1 KiB: " + bytes);
      }
      this.headChunkFileBytes = bytes;
      return this;
    }

    public DbOptions build() {
      return new DbOptions(this);
    }
  }
}
