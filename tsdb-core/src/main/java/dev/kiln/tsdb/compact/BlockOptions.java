package dev.kiln.tsdb.compact;

/**
 * Settings of block compaction and retention, all in milliseconds or bytes. Immutable.
 *
 * @param minBlockMillis the head's block range (Prometheus {@code --storage.tsdb.min-block-duration}, 2h)
 * @param maxBlockMillis largest compacted block (default: 10% of the time retention, at most 31 days)
 * @param retentionMillis blocks whose end is older than this before the newest block's end are
 *     deleted; 0 disables time retention
 * @param retentionBytes when blocks, WAL and head chunks exceed this, the oldest blocks are
 *     deleted; 0 disables size retention
 */
public record BlockOptions(long minBlockMillis, long maxBlockMillis, long retentionMillis, long retentionBytes) {
  public static final long DEFAULT_RETENTION_MILLIS = 15L * 24 * 3_600_000;
  static final long MAX_BLOCK_CAP = 31L * 24 * 3_600_000;

  /** The default maximum block duration for a time retention. */
  public static long defaultMaxBlockMillis(long retentionMillis) {
    long r = retentionMillis > 0 ? retentionMillis : DEFAULT_RETENTION_MILLIS;
    return Math.min(r / 10, MAX_BLOCK_CAP);
  }
}
