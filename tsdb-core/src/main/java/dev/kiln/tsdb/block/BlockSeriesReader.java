package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.index.Postings;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads every series of a block in label order with its chunks loaded and its deleted intervals,
 * for compaction. Holds a reader reference on the block until closed. Single-thread.
 */
public final class BlockSeriesReader implements Iterator<BlockSeriesReader.Entry>, AutoCloseable {
  /** A series with its chunks and the intervals deleted from it. */
  public record Entry(BlockSeries series, List<Interval> deleted) {}

  private final Block block;
  private final Postings all;
  private boolean hasNext;
  private boolean closed;

  BlockSeriesReader(Block block) {
    this.block = block;
    this.all = block.index().allPostings();
    this.hasNext = all.next();
  }

  /** The block's symbols. */
  public List<String> symbols() {
    return block.index().symbols();
  }

  @Override
  public boolean hasNext() {
    return hasNext;
  }

  @Override
  public Entry next() {
    if (!hasNext) {
      throw new NoSuchElementException();
    }
    long id = all.at();
    hasNext = all.next();
    IndexReader.SeriesEntry e = block.index().series(id);
    List<ChunkMeta> chunks = new ArrayList<>(e.chunks().size());
    for (ChunkRef r : e.chunks()) {
      chunks.add(new ChunkMeta(r.minTime(), r.maxTime(), block.chunks().chunk(r.ref())));
    }
    return new Entry(new BlockSeries(e.labels(), chunks), block.tombstones().get(id));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      block.release();
    }
  }
}
