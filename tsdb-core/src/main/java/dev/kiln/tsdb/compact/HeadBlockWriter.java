package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.block.BlockSeries;
import dev.kiln.tsdb.block.BlockWriter;
import dev.kiln.tsdb.block.ChunkRewriter;
import dev.kiln.tsdb.block.Ulid;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Writes the head's samples in [mint, maxt) as a level-1 block (Prometheus's head compaction and
 * the head part of a snapshot). The head is not changed. Stateless.
 */
public final class HeadBlockWriter {
  private HeadBlockWriter() {}

  /**
   * Writes the block under {@code parent}; returns its meta, or {@code null} when the head has no
   * samples in the range.
   */
  public static BlockMeta write(FileIo io, Path parent, Head head, long mint, long maxt) throws IOException {
    return write(io, parent, head, mint, maxt, new HeadTombstones());
  }

  /**
   * As {@link #write(FileIo, Path, Head, long, long)}, leaving out the deleted samples. Streams: the
   * series of the range are listed (labels and ref) and sorted first, then each series' chunks are
   * read from the head just before they are written, so the heap holds one series' chunks at a time
   * (open chunks are copied then), not every chunk of the range.
   */
  public static BlockMeta write(FileIo io, Path parent, Head head, long mint, long maxt, HeadTombstones deleted)
      throws IOException {
    List<Labels> labels = new ArrayList<>();
    LongList refs = new LongList();
    head.forEachSeriesWithChunksIn(mint, maxt - 1, (l, ref) -> {
      labels.add(l);
      refs.add(ref);
    });
    Integer[] order = new Integer[labels.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(labels::get));
    Set<String> symbols = new HashSet<>();
    for (Labels l : labels) {
      l.forEach((n, v) -> {
        symbols.add(n);
        symbols.add(v);
      });
    }
    Ulid ulid = Ulid.generate(System.currentTimeMillis());
    BlockMeta template = new BlockMeta(ulid, mint, maxt, 0, 0, 0, 0, 1, List.of(ulid), List.of(), false);
    Iterator<BlockSeries> series = new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < order.length;
      }

      @Override
      public BlockSeries next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = order[next++];
        Labels l = labels.get(i);
        List<ChunkMeta> chunks = head.chunksIn(refs.get(i), mint, maxt - 1);
        return new BlockSeries(l, ChunkRewriter.normalise(chunks, mint, maxt - 1, deleted.get(l)));
      }
    };
    return BlockWriter.write(io, parent, template, symbols, series);
  }

  /** A growable array of longs. */
  private static final class LongList {
    private long[] a = new long[1024];
    private int n;

    void add(long v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    long get(int i) {
      return a[i];
    }
  }
}
