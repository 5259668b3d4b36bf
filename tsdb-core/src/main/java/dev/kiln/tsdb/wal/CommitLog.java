package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Durability;
import java.util.List;

/**
 * Where the head writes each commit before applying it: the write-ahead log ({@link Wal}), or
 * nothing. It lives beside the log so that the dependency runs one way: the head uses the log,
 * the log knows nothing of the head.
 *
 * <p>{@link #write} is called with the head's log lock held, so calls are serialized and records
 * land in commit order; it should only queue the records (or hand them to the operating system).
 * {@link #awaitDurable} is called without the lock and returns once the commit is written and as
 * durable as the log promises, so that concurrent commits can share one write and one fsync
 * (group commit, see {@link Wal}). Each write states the durability its commit needs ({@link
 * Durability}); {@link #awaitDurable} then waits for that much.
 */
public interface CommitLog {
  /** A series the log has not seen yet. */
  record SeriesEntry(long ref, Labels labels) {}

  /**
   * Writes series records (may be empty) and then one samples record of {@code n} samples, for a
   * commit that needs {@code durability}. The arrays and the list belong to the caller, who must
   * leave them unchanged until {@link #awaitDurable} of the returned token returned or threw (the
   * log may encode them then).
   *
   * @return a token to pass to {@link #awaitDurable}
   * @throws dev.kiln.tsdb.storage.StorageException when the log failed earlier; nothing is applied
   */
  long write(List<SeriesEntry> newSeries, long[] refs, long[] ts, double[] vs, int n, Durability durability);

  /** As {@link #write(List, long[], long[], double[], int, Durability)} for a {@link Durability#SYNCED} commit. */
  default long write(List<SeriesEntry> newSeries, long[] refs, long[] ts, double[] vs, int n) {
    return write(newSeries, refs, ts, vs, n, Durability.SYNCED);
  }

  /**
   * Writes series records (may be empty) and then the histogram records of {@code n} native
   * histogram samples: entry {@code i} is the integer histogram {@code hs[i]} or, when that is
   * null, the float histogram {@code fhs[i]}. Ownership, threading and durability as for {@link
   * #write}.
   *
   * @return a token to pass to {@link #awaitDurable}
   */
  default long writeHistograms(List<SeriesEntry> newSeries, long[] refs, long[] ts,
      dev.kiln.tsdb.histogram.Histogram[] hs, dev.kiln.tsdb.histogram.FloatHistogram[] fhs, int n,
      Durability durability) {
    throw new UnsupportedOperationException("this log does not store native histograms");
  }

  /**
   * Writes one exemplars record (after the samples of the same commit, whose series records
   * precede it). Ownership, threading and durability as for {@link #write}; a log that keeps no
   * exemplars ignores it.
   *
   * @return a token to pass to {@link #awaitDurable}
   */
  default long writeExemplars(List<WalRecords.ExemplarRecord> exemplars, Durability durability) {
    return 0;
  }

  /**
   * Waits until the write of the token (and every earlier one) is as durable as its write asked:
   * written to the log, and for a {@link Durability#SYNCED} write also fsynced when the log
   * fsyncs each commit.
   *
   * @throws dev.kiln.tsdb.storage.StorageException when writing or syncing it failed; the
   *     commit must then not be applied
   */
  void awaitDurable(long token);

  /**
   * Called after the head dropped data before {@code mint}: the log may rewrite what it holds so
   * that only series accepted by {@code liveSeries} and samples at or after {@code mint} remain
   * (a checkpoint).
   */
  default void truncate(long mint, java.util.function.LongPredicate liveSeries) {}

  /** A log that keeps nothing (an in-memory head). */
  CommitLog NONE =
      new CommitLog() {
        @Override
        public long write(List<SeriesEntry> newSeries, long[] refs, long[] ts, double[] vs, int n,
            Durability durability) {
          return 0;
        }

        @Override
        public long writeHistograms(List<SeriesEntry> newSeries, long[] refs, long[] ts,
            dev.kiln.tsdb.histogram.Histogram[] hs, dev.kiln.tsdb.histogram.FloatHistogram[] fhs, int n,
            Durability durability) {
          return 0;
        }

        @Override
        public void awaitDurable(long token) {}
      };
}
