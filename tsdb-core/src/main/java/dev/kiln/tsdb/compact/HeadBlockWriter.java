package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.block.BlockSeries;
import dev.kiln.tsdb.block.BlockWriter;
import dev.kiln.tsdb.block.ChunkRewriter;
import dev.kiln.tsdb.block.Ulid;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.SeriesChunks;
import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
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

  /** As {@link #write(FileIo, Path, Head, long, long)}, leaving out the deleted samples. */
  public static BlockMeta write(FileIo io, Path parent, Head head, long mint, long maxt, HeadTombstones deleted)
      throws IOException {
    List<SeriesChunks> all = new ArrayList<>();
    head.forEachSeriesChunks(mint, maxt - 1, all::add);
    all.sort(Comparator.comparing(SeriesChunks::labels));
    Set<String> symbols = new HashSet<>();
    for (SeriesChunks s : all) {
      s.labels().forEach((n, v) -> {
        symbols.add(n);
        symbols.add(v);
      });
    }
    Ulid ulid = Ulid.generate(System.currentTimeMillis());
    BlockMeta template = new BlockMeta(ulid, mint, maxt, 0, 0, 0, 0, 1, List.of(ulid), List.of(), false);
    return BlockWriter.write(io, parent, template, symbols,
        all.stream()
            .map(s -> new BlockSeries(s.labels(),
                ChunkRewriter.normalise(s.chunks(), mint, maxt - 1, deleted.get(s.labels()))))
            .iterator());
  }
}
