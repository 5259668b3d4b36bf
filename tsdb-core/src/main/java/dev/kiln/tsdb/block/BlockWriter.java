package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * Writes a complete block directory. Everything goes into {@code <ulid>.tmp-for-creation} first
 * (chunk segments, index, empty tombstones, meta.json, each synced); the directory is then renamed
 * to {@code <ulid>} and the parent synced. A crash leaves either no block or a complete one; a
 * leftover temporary directory is removed by {@link BlockDirs#removeTemporary}. Stateless.
 */
public final class BlockWriter {
  public static final String TMP_SUFFIX = ".tmp-for-creation";

  private BlockWriter() {}

  /**
   * Writes the series into a new block under {@code parent}.
   *
   * @param template ulid, time range [minTime, maxTime) and compaction fields of the new block;
   *     statistics are computed here
   * @param symbols every label name and value of the series
   * @param series series in label order; chunks outside the range or overlapping are rewritten
   * @return the final meta, or {@code null} when no series had samples (nothing is left on disk)
   */
  public static BlockMeta write(FileIo io, Path parent, BlockMeta template, Collection<String> symbols,
      Iterator<BlockSeries> series) throws IOException {
    return write(io, parent, template, symbols, series, ChunkSegmentWriter.DEFAULT_SEGMENT_BYTES);
  }

  static BlockMeta write(FileIo io, Path parent, BlockMeta template, Collection<String> symbols,
      Iterator<BlockSeries> series, long segmentBytes) throws IOException {
    Path tmp = parent.resolve(template.ulid() + TMP_SUFFIX);
    io.deleteRecursively(tmp);
    io.createDirectories(tmp);
    boolean done = false;
    try {
      long samples = 0;
      long numSeries = 0;
      long numChunks = 0;
      long maxIncl = template.maxTime() - 1;
      try (ChunkSegmentWriter cw = new ChunkSegmentWriter(io, tmp.resolve("chunks"), segmentBytes);
          IndexWriter iw = new IndexWriter(io, tmp.resolve("index"), symbols)) {
        List<ChunkRef> refs = new ArrayList<>();
        while (series.hasNext()) {
          BlockSeries s = series.next();
          List<ChunkMeta> chunks = ChunkRewriter.normalise(s.chunks(), template.minTime(), maxIncl, List.of());
          if (chunks.isEmpty()) {
            continue;
          }
          refs.clear();
          for (ChunkMeta c : chunks) {
            refs.add(new ChunkRef(c.minTime(), c.maxTime(), cw.write(c.chunk())));
            samples += c.chunk().numSamples();
          }
          numChunks += chunks.size();
          numSeries++;
          iw.addSeries(s.labels(), refs);
        }
        cw.finish();
        iw.finish();
      }
      if (numSeries == 0) {
        return null;
      }
      Tombstones.EMPTY.write(io, tmp);
      BlockMeta meta = template.withStats(samples, numSeries, numChunks, 0);
      writeMeta(io, tmp, meta);
      io.syncDirectory(tmp);
      io.rename(tmp, parent.resolve(meta.ulid().toString()));
      io.syncDirectory(parent);
      done = true;
      return meta;
    } finally {
      if (!done) {
        io.deleteRecursively(tmp);
      }
    }
  }

  /** Writes {@code dir/meta.json} through a temporary file and an atomic rename. */
  public static void writeMeta(FileIo io, Path dir, BlockMeta meta) throws IOException {
    Path tmp = dir.resolve("meta.json.tmp");
    io.deleteRecursively(tmp);
    try (SequentialFileWriter w = new SequentialFileWriter(io, tmp)) {
      byte[] b = MetaJson.write(meta).getBytes(StandardCharsets.UTF_8);
      w.write(b, 0, b.length);
      w.finish();
    }
    io.rename(tmp, dir.resolve("meta.json"));
  }
}
