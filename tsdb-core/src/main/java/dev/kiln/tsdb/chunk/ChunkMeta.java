package dev.kiln.tsdb.chunk;

/**
 * A chunk with its time range (both inclusive, milliseconds). The chunk is immutable (a copy of
 * an open chunk, or a completed one).
 */
public record ChunkMeta(long minTime, long maxTime, Chunk chunk) {
  /** This chunk as a {@link dev.kiln.tsdb.storage.StoredChunk}: its bytes when {@code asStored}, else its range alone. */
  public dev.kiln.tsdb.storage.StoredChunk stored(boolean asStored) {
    return storedChunk(minTime, maxTime, asStored ? chunk : null);
  }

  /** A chunk (null: none as stored) as a {@link dev.kiln.tsdb.storage.StoredChunk} of the range. */
  public static dev.kiln.tsdb.storage.StoredChunk storedChunk(long minTime, long maxTime, Chunk chunk) {
    if (chunk == null) {
      return new dev.kiln.tsdb.storage.StoredChunk(minTime, maxTime, null, null);
    }
    dev.kiln.tsdb.storage.ValueType kind = switch (chunk.encoding()) {
      case XOR -> dev.kiln.tsdb.storage.ValueType.FLOAT;
      case HISTOGRAM -> dev.kiln.tsdb.storage.ValueType.HISTOGRAM;
      case FLOAT_HISTOGRAM -> dev.kiln.tsdb.storage.ValueType.FLOAT_HISTOGRAM;
      default -> null;
    };
    return new dev.kiln.tsdb.storage.StoredChunk(minTime, maxTime, kind, kind == null ? null : chunk.bytes());
  }
}
