package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.block.BlockSeries;
import dev.kiln.tsdb.block.BlockSeriesReader;
import dev.kiln.tsdb.block.BlockWriter;
import dev.kiln.tsdb.block.ChunkRewriter;
import dev.kiln.tsdb.block.Ulid;
import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Merges blocks into one new block (Prometheus's {@code LeveledCompactor.Compact}): series are
 * merged by labels, deleted intervals are dropped from the data, overlapping chunks are merged
 * and re-encoded; the new block's level is one above its highest parent and its sources are the
 * union of theirs. When nothing is left, the parents are marked deletable instead. The parents
 * are not removed here: {@link BlockStore#reload()} drops them once the new block exists.
 * Stateless.
 */
public final class BlockCompactor {
  private BlockCompactor() {}

  /** Compacts the blocks into a new block under {@code parent}; returns its meta or null. */
  public static BlockMeta compact(FileIo io, Path parent, List<Block> blocks) throws IOException {
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    int level = 0;
    TreeSet<Ulid> sources = new TreeSet<>();
    List<BlockMeta.Parent> parents = new ArrayList<>();
    for (Block b : blocks) {
      BlockMeta m = b.meta();
      mint = Math.min(mint, m.minTime());
      maxt = Math.max(maxt, m.maxTime());
      level = Math.max(level, m.level());
      sources.addAll(m.sources());
      parents.add(new BlockMeta.Parent(m.ulid(), m.minTime(), m.maxTime()));
    }
    Ulid ulid = Ulid.generate(System.currentTimeMillis());
    BlockMeta template = new BlockMeta(ulid, mint, maxt, 0, 0, 0, 0, level + 1, new ArrayList<>(sources), parents, false);
    List<BlockSeriesReader> readers = new ArrayList<>();
    try {
      Set<String> symbols = new HashSet<>();
      for (Block b : blocks) {
        BlockSeriesReader r = b.seriesReader();
        readers.add(r);
        symbols.addAll(r.symbols());
      }
      BlockMeta out = BlockWriter.write(io, parent, template, symbols, new MergingIterator(readers, mint, maxt - 1));
      if (out == null) {
        for (Block b : blocks) {
          BlockMeta m = b.meta();
          BlockWriter.writeMeta(io, b.dir(), new BlockMeta(m.ulid(), m.minTime(), m.maxTime(), m.numSamples(),
              m.numSeries(), m.numChunks(), m.numTombstones(), m.level(), m.sources(), m.parents(), true));
        }
      }
      return out;
    } finally {
      for (BlockSeriesReader r : readers) {
        r.close();
      }
    }
  }

  /** Merges sorted block series readers by labels, applying each block's deletions. */
  private static final class MergingIterator implements Iterator<BlockSeries> {
    private record Entry(BlockSeriesReader.Entry entry, int source) {}

    private final List<BlockSeriesReader> readers;
    private final PriorityQueue<Entry> heap =
        new PriorityQueue<>((a, b) -> a.entry.series().labels().compareTo(b.entry.series().labels()));
    private final long mint;
    private final long maxt;

    MergingIterator(List<BlockSeriesReader> readers, long mint, long maxt) {
      this.readers = readers;
      this.mint = mint;
      this.maxt = maxt;
      for (int i = 0; i < readers.size(); i++) {
        advance(i);
      }
    }

    private void advance(int i) {
      if (readers.get(i).hasNext()) {
        heap.add(new Entry(readers.get(i).next(), i));
      }
    }

    @Override
    public boolean hasNext() {
      return !heap.isEmpty();
    }

    @Override
    public BlockSeries next() {
      Entry e = heap.poll();
      if (e == null) {
        throw new NoSuchElementException();
      }
      Labels labels = e.entry.series().labels();
      List<ChunkMeta> chunks = new ArrayList<>(clean(e.entry));
      advance(e.source);
      boolean merged = false;
      while (!heap.isEmpty() && heap.peek().entry.series().labels().equals(labels)) {
        Entry o = heap.poll();
        chunks.addAll(clean(o.entry));
        advance(o.source);
        merged = true;
      }
      if (merged) {
        chunks.sort((a, b) -> Long.compare(a.minTime(), b.minTime()));
      }
      return new BlockSeries(labels, chunks);
    }

    private List<ChunkMeta> clean(BlockSeriesReader.Entry e) {
      return ChunkRewriter.normalise(e.series().chunks(), mint, maxt, e.deleted());
    }
  }
}
