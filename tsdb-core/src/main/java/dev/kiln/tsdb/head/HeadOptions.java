package dev.kiln.tsdb.head;

/**
 * Immutable head settings.
 *
 * @param chunkRangeMillis the head's block range (Prometheus's {@code --storage.tsdb.min-block-duration},
 *     2h by default): chunks never cross a multiple of it, and appends older than half of it
 *     behind the newest sample are out of bounds
 * @param samplesPerChunk target samples per chunk (Prometheus: 120)
 */
public record HeadOptions(long chunkRangeMillis, int samplesPerChunk) {
  /** Prometheus's defaults: 2h range, 120 samples per chunk. */
  public static final HeadOptions DEFAULT = new HeadOptions(2 * 3600 * 1000L, 120);

  public HeadOptions {
    if (chunkRangeMillis <= 0) {
      throw new IllegalArgumentException("chunk range must be positive: " + chunkRangeMillis);
    }
    if (samplesPerChunk < 4) {
      throw new IllegalArgumentException("samples per chunk must be at least 4: " + samplesPerChunk);
    }
  }

  public HeadOptions withChunkRangeMillis(long ms) {
    return new HeadOptions(ms, samplesPerChunk);
  }
}
