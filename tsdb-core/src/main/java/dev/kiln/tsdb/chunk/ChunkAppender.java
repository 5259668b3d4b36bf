package dev.kiln.tsdb.chunk;

/**
 * Adds samples at the end of a {@link Chunk}. Single-thread. Callers must append in strictly
 * increasing time order; the appender does not check, and a chunk holds at most 65535 samples.
 */
public interface ChunkAppender {
  /**
   * Appends one sample.
   *
   * @param timestampMillis sample time in milliseconds
   * @param value sample value; the raw bits (any NaN payload) are stored exactly
   */
  void append(long timestampMillis, double value);
}
