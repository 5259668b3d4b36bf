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
  private final boolean walEnabled;
  private final int headChunkFileBytes;

  private DbOptions(Builder b) {
    this.head = new HeadOptions(b.chunkRangeMillis, b.samplesPerChunk);
    this.walSegmentBytes = b.walSegmentBytes;
    this.walEnabled = b.walEnabled;
    this.headChunkFileBytes = b.headChunkFileBytes;
  }

  /** Defaults: 2h head chunk range, 120 samples per chunk, 128 MiB WAL segments, WAL on. */
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
    b.walEnabled = walEnabled;
    b.headChunkFileBytes = headChunkFileBytes;
    return b;
  }

  public HeadOptions headOptions() {
    return head;
  }

  public long walSegmentBytes() {
    return walSegmentBytes;
  }

  public boolean walEnabled() {
    return walEnabled;
  }

  /** Size of each memory-mapped head chunk file, bytes. */
  public int headChunkFileBytes() {
    return headChunkFileBytes;
  }

  /** Mutable builder; single-thread. */
  public static final class Builder {
    private long chunkRangeMillis = HeadOptions.DEFAULT.chunkRangeMillis();
    private int samplesPerChunk = HeadOptions.DEFAULT.samplesPerChunk();
    private long walSegmentBytes = DEFAULT_WAL_SEGMENT_BYTES;
    private boolean walEnabled = true;
    private int headChunkFileBytes = 128 * 1024 * 1024;

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

    /** Whether commits go to a write-ahead log (off: data lives only in memory). */
    public Builder walEnabled(boolean enabled) {
      this.walEnabled = enabled;
      return this;
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
