package dev.kiln.tsdb.chunk;

/** Creates chunks from their encoding and stored bytes. */
public final class Chunks {
  private Chunks() {}

  /**
   * Wraps stored chunk bytes (without the encoding byte). The array is owned by the new chunk.
   *
   * @throws IllegalArgumentException for an encoding Kiln cannot read or bytes too short to hold
   *     a chunk header
   */
  public static Chunk fromBytes(ChunkEncoding encoding, byte[] data) {
    if (encoding == ChunkEncoding.XOR) {
      return XorChunk.fromBytes(data);
    }
    if (encoding == ChunkEncoding.HISTOGRAM || encoding == ChunkEncoding.FLOAT_HISTOGRAM) {
      return HistogramChunk.fromBytes(encoding, data);
    }
    throw new IllegalArgumentException("unsupported chunk encoding " + encoding);
  }
}
