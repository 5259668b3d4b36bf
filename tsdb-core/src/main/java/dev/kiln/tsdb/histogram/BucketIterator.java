package dev.kiln.tsdb.histogram;

/** Iterates over decoded buckets of a histogram. Single-thread; not restartable. */
public interface BucketIterator {
  /** Advances to the next bucket; false when exhausted. */
  boolean next();

  /** The current bucket. */
  Bucket at();
}
