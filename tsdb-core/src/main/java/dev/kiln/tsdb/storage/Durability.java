package dev.kiln.tsdb.storage;

/**
 * What a committer needs before {@link Appender#commit(Durability)} returns, stated by the caller
 * for each commit. Both levels write the batch to the write-ahead log before the commit returns, so
 * a returned commit survives a crash of the process (kill -9, out of memory) either way; they differ
 * in what a crash of the operating system or a power loss can take.
 */
public enum Durability {
  /**
   * The commit is as durable as the log promises its acknowledged writes: with a WAL fsync interval
   * of 0 it is fsynced before the commit returns; with a positive interval it is fsynced on that
   * timer. For writes acknowledged to a client (remote write, OTLP, the push API).
   */
  SYNCED,
  /**
   * The commit is handed to the operating system before it returns and fsynced soon after (with
   * an interval of 0: by a background sync within about a second, or earlier by any later
   * {@link #SYNCED} commit, which covers every byte written before it). For writes nobody is
   * acknowledged for (scrapes, rule evaluations), which would otherwise each pay an fsync.
   */
  WRITTEN
}
