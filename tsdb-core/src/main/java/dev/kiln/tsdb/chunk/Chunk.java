package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.storage.SampleIterator;

/**
 * A compressed run of samples of one series, in increasing time order.
 *
 * <p>Thread safety: a chunk that is still being appended to must be guarded by its owner (the
 * head series lock); readers of such a chunk take a {@link #snapshot()} under that lock and iterate
 * the snapshot without it. A chunk nobody appends to any more may be read from any thread.
 */
public interface Chunk {
  /** The chunk's encoding. */
  ChunkEncoding encoding();

  /**
   * The chunk's encoded bytes (header included), exactly as stored on disk after the encoding
   * byte. Returns a fresh copy owned by the caller.
   */
  byte[] bytes();

  /** Length in bytes of {@link #bytes()}. */
  int length();

  /** Number of samples in the chunk. */
  int numSamples();

  /**
   * Returns an iterator over the chunk's samples.
   *
   * @param reuse an iterator from an earlier call on a chunk of the same encoding that the caller
   *     no longer needs, or {@code null}
   */
  SampleIterator iterator(SampleIterator reuse);

  /**
   * Returns an appender that continues the chunk. At most one appender may be used at a time, and
   * not at the same time as readers without a snapshot.
   */
  ChunkAppender appender();

  /** An immutable copy of the chunk's current content, safe to read from any thread. */
  Chunk snapshot();
}
