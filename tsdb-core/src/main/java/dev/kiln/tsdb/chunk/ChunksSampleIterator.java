package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.List;

/**
 * Iterates the samples of consecutive, non-overlapping chunks (oldest first) that fall inside
 * [mint, maxt]. Single-thread.
 */
public final class ChunksSampleIterator implements SampleIterator {
  private final List<ChunkMeta> chunks;
  private final long mint;
  private final long maxt;
  private int idx = -1;
  private SampleIterator cur;
  /** An iterator of an earlier series that the first chunk may reuse. */
  private SampleIterator spare;
  private boolean exhausted;
  private ValueType type = ValueType.NONE;

  public ChunksSampleIterator(List<ChunkMeta> chunks, long mint, long maxt) {
    this(chunks, mint, maxt, null);
  }

  /**
   * Same, reusing the chunk iterator of {@code reuse} (an iterator of this class that is no longer
   * used; null or another class: none) for this series' chunks.
   */
  public ChunksSampleIterator(List<ChunkMeta> chunks, long mint, long maxt, SampleIterator reuse) {
    this.chunks = chunks;
    this.mint = mint;
    this.maxt = maxt;
    if (reuse instanceof ChunksSampleIterator c && c != this) {
      this.spare = c.cur != null ? c.cur : c.spare;
    }
  }

  private boolean nextChunk() {
    idx++;
    if (idx >= chunks.size() || chunks.get(idx).minTime() > maxt) {
      exhausted = true;
      return false;
    }
    cur = chunks.get(idx).chunk().iterator(cur != null ? cur : spare);
    spare = null;
    return true;
  }

  @Override
  public ValueType next() {
    if (exhausted) {
      return ValueType.NONE;
    }
    if (cur == null) {
      return seek(mint);
    }
    while (true) {
      if ((type = cur.next()) != ValueType.NONE) {
        return checkMax();
      }
      if (!nextChunk()) {
        return ValueType.NONE;
      }
      if ((type = cur.seek(mint)) != ValueType.NONE) {
        return checkMax();
      }
    }
  }

  @Override
  public ValueType seek(long t) {
    if (exhausted) {
      return ValueType.NONE;
    }
    long target = Math.max(t, mint);
    if (cur == null) {
      if (!nextChunk()) {
        return ValueType.NONE;
      }
    }
    while (true) {
      while (idx + 1 < chunks.size() && chunks.get(idx).maxTime() < target) {
        if (!nextChunk()) {
          return ValueType.NONE;
        }
      }
      if ((type = cur.seek(target)) != ValueType.NONE) {
        return checkMax();
      }
      if (!nextChunk()) {
        return ValueType.NONE;
      }
    }
  }

  private ValueType checkMax() {
    if (cur.atT() > maxt) {
      exhausted = true;
      return ValueType.NONE;
    }
    return type;
  }

  /** Reads on in bulk within the current chunk, up to this iterator's {@code maxt}. */
  @Override
  public int nextFloats(long limit, long[] ts, double[] vs, int off, int len) {
    if (exhausted || type != ValueType.FLOAT) {
      return 0;
    }
    return cur.nextFloats(Math.min(limit, maxt), ts, vs, off, len);
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
