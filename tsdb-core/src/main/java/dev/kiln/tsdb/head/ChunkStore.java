package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.Chunk;

/**
 * Where the head keeps its completed (full) chunks. Implementations: {@link HeapChunkStore} and
 * the memory-mapped head-chunk files. Thread-safe.
 */
public interface ChunkStore extends AutoCloseable {
  /**
   * Stores a completed chunk of a series and returns its reference. The chunk is not modified
   * afterwards.
   */
  long write(long seriesRef, long minT, long maxT, Chunk chunk);

  /**
   * Reads a stored chunk. The returned chunk stays readable even after {@link #truncateBefore}
   * removed it (readers that took the reference before truncation finish normally).
   */
  Chunk read(long ref);

  /** Frees the storage of chunks whose maxT is before {@code mint}, where possible. */
  void truncateBefore(long mint);

  /** Bytes of Java heap the store uses (0 for off-heap stores). */
  long heapBytes();

  @Override
  void close();
}
