package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;

/** Receives the records of a write-ahead log replay, in log order. */
public interface WalReplayHandler {
  void series(WalRecords.SeriesRecord series);

  void sample(long ref, long t, double v);

  /** An integer native-histogram sample (record types 7 and 9); the handler owns {@code h}. */
  default void histogram(long ref, long t, Histogram h) {}

  /** A float native-histogram sample (record types 8 and 10); the handler owns {@code h}. */
  default void floatHistogram(long ref, long t, FloatHistogram h) {}

  void tombstone(WalRecords.Tombstone tombstone);

  /** An exemplar (record type 4). */
  default void exemplar(WalRecords.ExemplarRecord exemplar) {}

  /** Called before each segment is read; {@code current} runs from {@code min} to {@code max}. */
  default void segmentStarted(int current, int min, int max) {}
}
