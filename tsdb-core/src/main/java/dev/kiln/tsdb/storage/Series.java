package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.model.Labels;

/** One series of a {@link SeriesSet}: its labels and a way to read its samples. */
public interface Series {
  Labels labels();

  /**
   * Returns an iterator over the samples within the querier's time range.
   *
   * @param reuse an iterator previously returned by this storage that the caller no longer needs,
   *     or {@code null}; implementations may recycle it to save allocations
   */
  SampleIterator iterator(SampleIterator reuse);
}
