package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.storage.SampleIterator;
import java.util.Arrays;

/**
 * A native-histogram chunk, bit-compatible with Prometheus's {@code tsdb/chunkenc/histogram.go}
 * (encoding {@link ChunkEncoding#HISTOGRAM}, integer counts) and {@code float_histogram.go}
 * ({@link ChunkEncoding#FLOAT_HISTOGRAM}). Layout, as {@code tsdb/docs/format/chunks.md}: a
 * 2-byte big-endian sample count, a flag byte whose two high bits are the {@link
 * CounterResetHeader}, the {@link HistogramLayout} and then the samples:
 *
 * <ul>
 *   <li>integer: sample 0 {@code t varbit_int, count varbit_uint, zero_count varbit_uint, sum
 *       float64, buckets varbit_int...}; later samples delta-of-deltas ({@code varbit_int}) of t,
 *       count, zero count and every bucket delta, the sum XOR-encoded;
 *   <li>float: sample 0 {@code t varbit_int}, then count, zero count, sum and every bucket as raw
 *       float64; later samples the t delta-of-delta and every value XOR-encoded, each with its
 *       own window.
 * </ul>
 *
 * A stale marker (sum = stale NaN) writes t, zero count/count fields and the sum but no buckets.
 * Thread safety as for {@link Chunk}: the owner serialises appends and readers take a {@link
 * #snapshot()}.
 */
public final class HistogramChunk implements Chunk {
  static final int HEADER_BYTES = 3;
  static final int FLAG_POS = 2;
  private static final int INITIAL_CAPACITY = 64;

  private final ChunkEncoding encoding;
  /** Writer of a chunk built here; null for wrapped bytes until an appender re-encodes them. */
  BitWriter writer;
  /** Stored bytes of a wrapped chunk (writer == null). */
  private byte[] data;

  private HistogramChunk(ChunkEncoding encoding, BitWriter writer, byte[] data) {
    this.encoding = encoding;
    this.writer = writer;
    this.data = data;
  }

  /** A new, empty integer-histogram chunk. */
  public static HistogramChunk newHistogramChunk() {
    return new HistogramChunk(
        ChunkEncoding.HISTOGRAM, new BitWriter(HEADER_BYTES, INITIAL_CAPACITY), null);
  }

  /** A new, empty float-histogram chunk. */
  public static HistogramChunk newFloatHistogramChunk() {
    return new HistogramChunk(
        ChunkEncoding.FLOAT_HISTOGRAM, new BitWriter(HEADER_BYTES, INITIAL_CAPACITY), null);
  }

  /**
   * Wraps stored bytes (header included); the array is owned by the chunk afterwards.
   *
   * @throws IllegalArgumentException for another encoding or fewer than 3 bytes
   */
  public static HistogramChunk fromBytes(ChunkEncoding encoding, byte[] data) {
    if (encoding != ChunkEncoding.HISTOGRAM && encoding != ChunkEncoding.FLOAT_HISTOGRAM) {
      throw new IllegalArgumentException("not a histogram encoding: " + encoding);
    }
    if (data.length < HEADER_BYTES) {
      throw new IllegalArgumentException(
          "histogram chunk too short: " + data.length + " bytes");
    }
    return new HistogramChunk(encoding, null, data);
  }

  @Override
  public ChunkEncoding encoding() {
    return encoding;
  }

  /** The backing array; only the first {@link #length()} bytes are the chunk. */
  byte[] raw() {
    return writer != null ? writer.buffer() : data;
  }

  @Override
  public int length() {
    return writer != null ? writer.length() : data.length;
  }

  @Override
  public byte[] bytes() {
    return Arrays.copyOf(raw(), length());
  }

  @Override
  public int numSamples() {
    byte[] b = raw();
    return ((b[0] & 0xff) << 8) | (b[1] & 0xff);
  }

  /** The chunk's counter-reset header. */
  public CounterResetHeader counterResetHeader() {
    return CounterResetHeader.fromFlags(raw()[FLAG_POS]);
  }

  void setCounterResetHeader(CounterResetHeader h) {
    byte[] b = raw();
    b[FLAG_POS] = (byte) ((b[FLAG_POS] & ~CounterResetHeader.MASK) | h.bits());
  }

  void setNumSamples(int n) {
    byte[] b = raw();
    b[0] = (byte) (n >>> 8);
    b[1] = (byte) n;
  }

  @Override
  public SampleIterator iterator(SampleIterator reuse) {
    if (encoding == ChunkEncoding.HISTOGRAM) {
      HistogramChunkIterator it =
          reuse instanceof HistogramChunkIterator h ? h : new HistogramChunkIterator();
      it.reset(raw(), 0, length());
      return it;
    }
    FloatHistogramChunkIterator it =
        reuse instanceof FloatHistogramChunkIterator f ? f : new FloatHistogramChunkIterator();
    it.reset(raw(), 0, length());
    return it;
  }

  /** Histogram chunks take no float samples; use {@link #histogramAppender()}. */
  @Override
  public ChunkAppender appender() {
    throw new UnsupportedOperationException("a histogram chunk takes no float samples");
  }

  /**
   * The appender for an integer-histogram chunk. For wrapped bytes it re-encodes the samples
   * first, so the result is byte for byte what appending them from scratch gives.
   */
  public HistogramAppender histogramAppender() {
    if (encoding != ChunkEncoding.HISTOGRAM) {
      throw new IllegalStateException("not an integer histogram chunk");
    }
    return HistogramAppender.continuing(this);
  }

  /** The appender for a float-histogram chunk (see {@link #histogramAppender()}). */
  public FloatHistogramAppender floatHistogramAppender() {
    if (encoding != ChunkEncoding.FLOAT_HISTOGRAM) {
      throw new IllegalStateException("not a float histogram chunk");
    }
    return FloatHistogramAppender.continuing(this);
  }

  /** Whether the chunk was built here and can take appends without re-encoding. */
  boolean live() {
    return writer != null;
  }

  /** Replaces the content by an empty writer (used when re-encoding wrapped bytes). */
  void resetWriter(CounterResetHeader header) {
    writer = new BitWriter(HEADER_BYTES, Math.max(INITIAL_CAPACITY, data == null ? 0 : data.length));
    data = null;
    setCounterResetHeader(header);
  }

  @Override
  public Chunk snapshot() {
    return new HistogramChunk(encoding, null, bytes());
  }

  /** Makes room for {@code bytes} bytes in a chunk built here, so appends up to it do not grow it. */
  void reserve(int bytes) {
    if (writer != null) {
      writer.reserve(bytes);
    }
  }

  /** Shrinks the backing array to the chunk's length; call once the chunk is complete. */
  public void compact() {
    if (writer != null) {
      writer.compact();
    }
  }

  /** Approximate heap footprint in bytes of this chunk (object plus backing array). */
  public long heapBytes() {
    return 48 + 16 + raw().length;
  }
}
