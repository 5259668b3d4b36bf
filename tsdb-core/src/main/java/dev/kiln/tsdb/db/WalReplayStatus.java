package dev.kiln.tsdb.db;

/**
 * Progress of the write-ahead log replay at start-up, as {@code /api/v1/status/walreplay}
 * reports it: segments {@code min..max}, the one being read, and whether replay has finished.
 */
public record WalReplayStatus(int min, int max, int current, boolean done) {
  /** Status when there is nothing to replay. */
  public static final WalReplayStatus NONE = new WalReplayStatus(0, 0, 0, true);
}
