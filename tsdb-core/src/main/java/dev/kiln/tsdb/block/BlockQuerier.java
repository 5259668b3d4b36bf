package dev.kiln.tsdb.block;

import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.index.Postings;
import dev.kiln.tsdb.index.PostingsForMatchers;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads one {@link Block} over [mint, maxt]. Series come in label order (series ids are sorted
 * by labels) and are read lazily, one per {@link SeriesSet#next()}; samples are decoded when
 * iterated. Series without samples in the range, or whose samples there are all deleted, are
 * left out; label names and values count only such series too (straight from the index when the
 * range covers the whole block and nothing is deleted). Single-thread, except that {@link #select}
 * may run on several threads at once (each call has its own postings cursor and symbol cache over
 * the thread-safe index, chunk reader and tombstones); iterators must not be used after {@link
 * #close()}.
 */
final class BlockQuerier implements Querier {
  private final Block block;
  private final long mint;
  private final long maxt;
  private boolean closed;

  BlockQuerier(Block block, long mint, long maxt) {
    this.block = block;
    this.mint = mint;
    this.maxt = maxt;
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageException("querier is closed");
    }
  }

  /** True when the range holds the whole block and it has no tombstones: the index answers as is. */
  private boolean coversBlock() {
    BlockMeta m = block.meta();
    return mint <= m.minTime() && maxt >= m.maxTime() - 1 && block.tombstones().isEmpty();
  }

  private boolean outsideBlock() {
    return !block.meta().overlapsClosed(mint, maxt);
  }

  @Override
  public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
    checkOpen();
    if (outsideBlock()) {
      return SeriesSet.EMPTY;
    }
    Postings p = PostingsForMatchers.select(block.index(), matchers);
    Tombstones tombstones = block.tombstones();
    IndexReader.SymbolCache symbols = new IndexReader.SymbolCache();
    return new SeriesSet() {
      private Series current;

      @Override
      public boolean next() {
        while (p.next()) {
          long id = p.at();
          IndexReader.SeriesEntry e = block.index().series(id, symbols);
          List<ChunkRef> inRange = new ArrayList<>(e.chunks().size());
          for (ChunkRef c : e.chunks()) {
            if (c.maxTime() >= mint && c.minTime() <= maxt) {
              inRange.add(c);
            }
          }
          if (inRange.isEmpty()) {
            continue;
          }
          List<Interval> deleted = tombstones.get(id);
          long lo = Math.max(mint, inRange.get(0).minTime());
          long hi = Math.min(maxt, inRange.get(inRange.size() - 1).maxTime());
          if (coveredBy(deleted, lo, hi)) {
            continue;
          }
          current = new BlockSeries(e.labels(), inRange, deleted);
          return true;
        }
        current = null;
        return false;
      }

      @Override
      public Series at() {
        return current;
      }
    };
  }

  /** True: a selection's cursor, symbol cache and series are its own; the block is thread-safe. */
  @Override
  public boolean concurrentSelect() {
    return true;
  }

  private static boolean coveredBy(List<Interval> deleted, long lo, long hi) {
    for (Interval iv : deleted) {
      if (iv.minTime() <= lo && iv.maxTime() >= hi) {
        return true;
      }
    }
    return false;
  }

  private final class BlockSeries implements Series {
    private final Labels labels;
    private final List<ChunkRef> chunks;
    private final List<Interval> deleted;

    BlockSeries(Labels labels, List<ChunkRef> chunks, List<Interval> deleted) {
      this.labels = labels;
      this.chunks = chunks;
      this.deleted = deleted;
    }

    @Override
    public Labels labels() {
      return labels;
    }

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
      return new BlockSeriesIterator(block.chunks(), chunks, deleted, mint, maxt,
          reuse instanceof BlockSeriesIterator b ? b : null);
    }

    /** The block's chunks as written; one with deleted samples as its time range alone. */
    @Override
    public List<dev.kiln.tsdb.storage.StoredChunk> storedChunks() {
      List<dev.kiln.tsdb.storage.StoredChunk> out = new ArrayList<>(chunks.size());
      for (ChunkRef c : chunks) {
        boolean deletedIn = false;
        for (Interval iv : deleted) {
          deletedIn |= iv.minTime() <= c.maxTime() && c.minTime() <= iv.maxTime();
        }
        out.add(dev.kiln.tsdb.chunk.ChunkMeta.storedChunk(c.minTime(), c.maxTime(),
            deletedIn ? null : block.chunks().chunk(c.ref())));
      }
      return out;
    }
  }

  @Override
  public List<String> labelNames(LabelMatcher... matchers) {
    checkOpen();
    if (outsideBlock()) {
      return List.of();
    }
    if (matchers.length == 0 && coversBlock()) {
      return block.index().labelNames();
    }
    TreeSet<String> names = new TreeSet<>(Utf8Order.COMPARATOR);
    SeriesSet set = select(false, null, matchers);
    while (set.next()) {
      names.addAll(set.at().labels().names());
    }
    return new ArrayList<>(names);
  }

  @Override
  public List<String> labelValues(String name, LabelMatcher... matchers) {
    checkOpen();
    if (outsideBlock()) {
      return List.of();
    }
    if (matchers.length == 0 && coversBlock()) {
      return new ArrayList<>(block.index().labelValues(name));
    }
    TreeSet<String> values = new TreeSet<>(Utf8Order.COMPARATOR);
    SeriesSet set = select(false, null, matchers);
    while (set.next()) {
      String v = set.at().labels().get(name);
      if (v != null) {
        values.add(v);
      }
    }
    return new ArrayList<>(values);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      block.release();
    }
  }
}
