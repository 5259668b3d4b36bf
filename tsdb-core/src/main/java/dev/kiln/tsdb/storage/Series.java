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

  /**
   * The chunks the series' samples in the querier's range are stored in, oldest first (they may
   * reach beyond the range, and may overlap where several blocks or the head hold the series),
   * for readers that ship chunks as stored (streamed remote read); null when the storage keeps no
   * chunks. The chunks stay readable until the querier is closed.
   */
  default java.util.List<StoredChunk> storedChunks() {
    return null;
  }
}
