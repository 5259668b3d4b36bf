package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;

/**
 * What {@link HistogramChunkIterator} and {@link FloatHistogramChunkIterator} share: the chunk
 * header (sample count, counter-reset header), the layout, the sample time's bits, {@link #seek}
 * and copying the layout into decoded histograms. Subclasses decode the values of each sample in
 * {@link #next}. Single-thread; corrupt bytes throw {@link StorageException}.
 */
abstract class AbstractHistogramChunkIterator implements SampleIterator {
  final BitReader r;
  private final String kind;
  private final ValueType type;
  CounterResetHeader header;
  int numTotal;
  int numRead;
  private boolean exhausted;
  HistogramLayout layout;
  long t;
  private long tDelta;

  AbstractHistogramChunkIterator(String kind, ValueType type) {
    this.r = new BitReader(kind);
    this.kind = kind;
    this.type = type;
  }

  /** Clears the subclass's decoding state for a new chunk. */
  abstract void resetValues();

  /** Positions the iterator at the start of the chunk in {@code data[offset, offset+length)}. */
  public final void reset(byte[] data, int offset, int length) {
    if (length < HistogramChunk.HEADER_BYTES) {
      throw new StorageException(kind + " chunk too short: " + length + " bytes");
    }
    numTotal = ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    header = CounterResetHeader.fromFlags(data[offset + HistogramChunk.FLAG_POS]);
    r.reset(data, offset + HistogramChunk.HEADER_BYTES, length - HistogramChunk.HEADER_BYTES);
    numRead = 0;
    exhausted = false;
    t = Long.MIN_VALUE;
    tDelta = 0;
    resetValues();
  }

  /** The counter-reset header of the chunk being iterated. */
  public final CounterResetHeader counterResetHeader() {
    return header;
  }

  /** Number of samples in the chunk. */
  public final int numSamples() {
    return numTotal;
  }

  /** True (and the iterator exhausted) when every sample has been read. */
  final boolean atEnd() {
    if (numRead == numTotal) {
      exhausted = true;
      return true;
    }
    return false;
  }

  /** Reads the sample time: t itself for the first sample (after the layout), else its delta-of-delta. */
  final void readTime() {
    if (numRead == 0) {
      t = Varbit.readInt(r);
    } else {
      tDelta += Varbit.readInt(r);
      t += tDelta;
    }
  }

  @Override
  public final ValueType seek(long target) {
    if (exhausted) {
      return ValueType.NONE;
    }
    while (numRead == 0 || target > t) {
      if (next() == ValueType.NONE) {
        return ValueType.NONE;
      }
    }
    return type;
  }

  @Override
  public final long atT() {
    return t;
  }

  @Override
  public final double atV() {
    throw new IllegalStateException("not positioned on a float sample");
  }

  /** Sets {@code h}'s hint, schema, zero threshold, spans and custom bounds from the chunk. */
  final void copyLayout(Histogram h) {
    h.counterResetHint = header.hintFor(numRead);
    h.schema = layout.schema;
    h.zeroThreshold = layout.zeroThreshold;
    h.positiveSpans = copySpans(layout.positiveSpans, h.positiveSpans);
    h.negativeSpans = copySpans(layout.negativeSpans, h.negativeSpans);
    h.customValues = layout.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA ? layout.customValues : null;
  }

  /**
   * As {@link #copyLayout(Histogram)} for a float histogram, whose span arrays are the layout's
   * own: float histograms never change span arrays in place (see {@link FloatHistogram}), so every
   * sample of a chunk shares them and decoding allocates none.
   */
  final void copyLayout(FloatHistogram h) {
    h.counterResetHint = header.hintFor(numRead);
    h.schema = layout.schema;
    h.zeroThreshold = layout.zeroThreshold;
    h.positiveSpans = layout.positiveSpans.length == 0 ? HistogramLayout.NO_SPANS : layout.positiveSpans;
    h.negativeSpans = layout.negativeSpans.length == 0 ? HistogramLayout.NO_SPANS : layout.negativeSpans;
    h.customValues = layout.schema == HistogramLayout.CUSTOM_BUCKETS_SCHEMA ? layout.customValues : null;
  }

  /** Empties {@code h} (a stale marker carries only its sum). */
  static void clear(Histogram h) {
    h.counterResetHint = CounterResetHint.UNKNOWN;
    h.schema = 0;
    h.zeroThreshold = 0;
    h.zeroCount = 0;
    h.count = 0;
    h.positiveSpans = HistogramLayout.NO_SPANS;
    h.negativeSpans = HistogramLayout.NO_SPANS;
    h.positiveBuckets = HistogramLayout.NO_LONGS;
    h.negativeBuckets = HistogramLayout.NO_LONGS;
    h.customValues = null;
  }

  /** Empties {@code h} (a stale marker carries only its sum). */
  static void clear(FloatHistogram h) {
    h.counterResetHint = CounterResetHint.UNKNOWN;
    h.schema = 0;
    h.zeroThreshold = 0;
    h.zeroCount = 0;
    h.count = 0;
    h.positiveSpans = HistogramLayout.NO_SPANS;
    h.negativeSpans = HistogramLayout.NO_SPANS;
    h.positiveBuckets = HistogramLayout.NO_VALUES;
    h.negativeBuckets = HistogramLayout.NO_VALUES;
    h.customValues = null;
  }

  static Span[] copySpans(Span[] src, Span[] reuse) {
    if (src.length == 0) {
      return HistogramLayout.NO_SPANS;
    }
    Span[] out = reuse != null && reuse.length == src.length ? reuse : new Span[src.length];
    System.arraycopy(src, 0, out, 0, src.length);
    return out;
  }
}
