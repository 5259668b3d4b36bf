package dev.kiln.tsdb.wal;

/** Receives the records of a write-ahead log replay, in log order. */
public interface WalReplayHandler {
  void series(WalRecords.SeriesRecord series);

  void sample(long ref, long t, double v);

  void tombstone(WalRecords.Tombstone tombstone);

  /** Called before each segment is read; {@code current} runs from {@code min} to {@code max}. */
  default void segmentStarted(int current, int min, int max) {}
}
