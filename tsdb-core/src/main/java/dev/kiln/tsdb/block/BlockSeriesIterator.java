package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.Chunks;
import dev.kiln.tsdb.chunk.XorIterator;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.List;

/**
 * Iterates a block series' samples within [mint, maxt], skipping deleted intervals. Chunks are
 * read from the segments only when the iterator enters them; {@link #seek} skips whole chunks
 * by their index time range without reading them. XOR chunks are decoded from one buffer reused
 * for every chunk of the series, and {@link #nextFloats} decodes runs of them in one loop.
 * Single-thread.
 */
final class BlockSeriesIterator implements SampleIterator {
  private final ChunkReader reader;
  private final List<ChunkRef> chunks;
  private final List<Interval> deleted;
  private final long mint;
  private final long maxt;
  private final ChunkBytes bytes;
  private XorIterator xor;
  private int idx = -1;
  private SampleIterator cur;
  private boolean onSample;
  private boolean exhausted;
  /** Type of the sample {@code cur} is on. */
  private ValueType type = ValueType.NONE;

  BlockSeriesIterator(ChunkReader reader, List<ChunkRef> chunks, List<Interval> deleted, long mint, long maxt) {
    this(reader, chunks, deleted, mint, maxt, null);
  }

  /**
   * Same, taking over the chunk buffer and decoder of {@code previous} (an iterator of an earlier
   * series that is no longer used; null: new ones), so reading series after series of a block
   * allocates no buffers.
   */
  BlockSeriesIterator(ChunkReader reader, List<ChunkRef> chunks, List<Interval> deleted, long mint, long maxt,
      BlockSeriesIterator previous) {
    this.reader = reader;
    this.chunks = chunks;
    this.deleted = deleted;
    this.mint = mint;
    this.maxt = maxt;
    this.bytes = previous == null ? new ChunkBytes() : previous.bytes;
    this.xor = previous == null ? null : previous.xor;
  }

  /** Moves to the next chunk whose range reaches {@code target}; false when none is left. */
  private boolean enterChunk(long target) {
    idx++;
    while (idx < chunks.size() && chunks.get(idx).maxTime() < target) {
      idx++;
    }
    if (idx >= chunks.size() || chunks.get(idx).minTime() > maxt) {
      exhausted = true;
      onSample = false;
      return false;
    }
    ChunkBytes b = reader.read(chunks.get(idx).ref(), bytes);
    if (b.encoding == ChunkEncoding.XOR) {
      // Decoded straight from the reused buffer: no allocation per chunk.
      if (b.length < 2) {
        throw new BlockCorruptException(b.path, b.offset, "XOR chunk too short: " + b.length + " bytes");
      }
      if (xor == null) {
        xor = new XorIterator(b.data, 1, b.length);
      } else {
        xor.reset(b.data, 1, b.length);
      }
      cur = xor;
      return true;
    }
    try {
      cur = Chunks.fromBytes(b.encoding, b.copy()).iterator(cur == xor ? null : cur);
    } catch (IllegalArgumentException e) {
      throw new BlockCorruptException(b.path, b.offset, e.getMessage());
    }
    return true;
  }

  /** Accepts the sample {@code cur} is on, or returns false when it must be skipped. */
  private boolean accept() {
    long t = cur.atT();
    return t >= mint && (deleted.isEmpty() || !Interval.anyContains(deleted, t));
  }

  private ValueType checkMax() {
    if (cur.atT() > maxt) {
      exhausted = true;
      onSample = false;
      return ValueType.NONE;
    }
    onSample = true;
    return type;
  }

  @Override
  public ValueType next() {
    if (exhausted) {
      return ValueType.NONE;
    }
    if (cur == null && !enterChunk(mint)) {
      return ValueType.NONE;
    }
    while (true) {
      ValueType vt = cur.next();
      if (vt == ValueType.NONE) {
        if (!enterChunk(mint)) {
          return ValueType.NONE;
        }
        continue;
      }
      type = vt;
      if (cur.atT() > maxt) {
        return checkMax();
      }
      if (accept()) {
        onSample = true;
        return vt;
      }
    }
  }

  @Override
  public ValueType seek(long t) {
    if (exhausted) {
      return ValueType.NONE;
    }
    if (onSample && cur.atT() >= t) {
      return type;
    }
    long target = Math.max(t, mint);
    if (cur == null || chunks.get(idx).maxTime() < target) {
      if (!enterChunk(target)) {
        return ValueType.NONE;
      }
    }
    while (true) {
      ValueType vt = cur.seek(target);
      if (vt == ValueType.NONE) {
        if (!enterChunk(target)) {
          return ValueType.NONE;
        }
        continue;
      }
      type = vt;
      if (cur.atT() > maxt) {
        return checkMax();
      }
      if (accept()) {
        onSample = true;
        return vt;
      }
      return next();
    }
  }

  /**
   * Reads on in bulk within the current XOR chunk, up to this iterator's {@code maxt} and to the
   * first deleted interval after the current sample (which itself is not deleted).
   */
  @Override
  public int nextFloats(long limit, long[] ts, double[] vs, int off, int len) {
    if (!onSample || exhausted || cur != xor || type != ValueType.FLOAT) {
      return 0;
    }
    long until = Math.min(limit, maxt);
    if (!deleted.isEmpty()) {
      long t = xor.atT();
      for (Interval iv : deleted) {
        if (iv.maxTime() > t) {
          // Sorted and not containing t, so this interval starts after t.
          until = Math.min(until, iv.minTime() - 1);
          break;
        }
      }
    }
    return xor.nextFloats(until, ts, vs, off, len);
  }

  @Override
  public long atT() {
    return cur.atT();
  }

  @Override
  public double atV() {
    return cur.atV();
  }

  @Override
  public Histogram atHistogram(Histogram reuse) {
    return cur.atHistogram(reuse);
  }

  @Override
  public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
    return cur.atFloatHistogram(reuse);
  }
}
