package dev.kiln.tsdb.chunk;

/**
 * The encoding byte stored in front of every chunk on disk, with Prometheus's numbering
 * ({@code tsdb/chunkenc/chunk.go}: EncNone=0, EncXOR=1, EncHistogram=2, EncFloatHistogram=3).
 */
public enum ChunkEncoding {
  NONE(0),
  XOR(1),
  HISTOGRAM(2),
  FLOAT_HISTOGRAM(3);

  private static final ChunkEncoding[] VALUES = values();

  private final byte code;

  ChunkEncoding(int code) {
    this.code = (byte) code;
  }

  /** The byte written to disk. */
  public byte code() {
    return code;
  }

  /**
   * Looks up an encoding by its on-disk byte.
   *
   * @throws IllegalArgumentException for an unknown byte
   */
  public static ChunkEncoding fromCode(byte code) {
    for (ChunkEncoding e : VALUES) {
      if (e.code == code) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown chunk encoding " + (code & 0xff));
  }
}
