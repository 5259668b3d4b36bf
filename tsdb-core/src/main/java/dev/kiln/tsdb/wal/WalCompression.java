package dev.kiln.tsdb.wal;

/**
 * How a {@link WalWriter} stores records: as Prometheus 2.42's {@code --storage.tsdb.wal-compression}
 * (default on), either plain or Snappy-compressed (block format). Reading never depends on it:
 * every fragment header says whether its record is compressed.
 */
public enum WalCompression {
  /** Records are written as encoded. */
  NONE,
  /**
   * A record is Snappy-compressed when that makes it strictly shorter, and each of its fragment
   * headers then carries the Snappy flag ({@code 0x08}); an empty record, or one that does not
   * shrink, is written plain, as Prometheus does.
   */
  SNAPPY
}
