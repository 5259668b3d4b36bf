package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.model.Labels;

/**
 * Told about every batch of float samples a database commits, right after the batch is in the
 * write-ahead log and before the appender returns: the feed of remote write senders (register
 * with {@code Db.addCommitListener}; the head calls it). Called on
 * the committing thread, possibly from several threads at once; it must be quick (copy what it
 * needs and return) and must not throw. The batch is valid only during the call.
 */
@FunctionalInterface
public interface CommitListener {
  /** The samples of one committed batch, in append order. */
  interface Batch {
    int size();

    Labels labels(int i);

    long timestamp(int i);

    double value(int i);
  }

  void committed(Batch batch);
}
