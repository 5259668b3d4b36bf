package dev.kiln.benchmarks.block;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.compact.BlockCompactor;
import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Select + decode from a persistent block: 10k node_exporter-like series × 6 h at 15 s (14.4 M
 * samples) in one compacted 6 h block; each operation selects every series and iterates every
 * sample. {@code warm}: the block stays open between operations (mapped, pages cached).
 * {@code cold}: before each operation the block's files are dropped from the OS page cache
 * ({@code dd iflag=nocache}) and the block is opened anew, so every page is read from disk on first
 * touch and the index tables are re-read. {@code warmBulk}: as {@code warm}, reading with the bulk
 * {@code nextFloats}. Scores are milliseconds per full scan; samples/s =
 * 14.4 M / score. One thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BlockSelectBenchmark {
  static final int SERIES = 10_000;
  static final int SCRAPES = 6 * 240;
  Path dir;
  Path blockDir;
  Block warm;
  long samples;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("kiln-block-select");
    Head head = Head.inMemory();
    samples = BlockDataset.fill(head, SERIES, SCRAPES, null);
    long h2 = 7_200_000L;
    List<Block> parts = new ArrayList<>();
    for (long t = BlockDataset.START; t < BlockDataset.START + 3 * h2; t += h2) {
      // The first block also takes the few samples jittered to just before the start.
      long from = t == BlockDataset.START ? t - 60_000 : t;
      BlockMeta m = HeadBlockWriter.write(FileIo.DEFAULT, dir, head, from, t + h2);
      parts.add(Block.open(FileIo.DEFAULT, dir.resolve(m.ulid().toString())));
    }
    BlockMeta merged = BlockCompactor.compact(FileIo.DEFAULT, dir, parts);
    for (Block b : parts) {
      b.close();
    }
    blockDir = dir.resolve(merged.ulid().toString());
    warm = Block.open(FileIo.DEFAULT, blockDir);
  }

  /** A block opened anew, with its files dropped from the OS page cache, before each scan. */
  @State(Scope.Thread)
  public static class Cold {
    Block block;

    @Setup(Level.Invocation)
    public void open(BlockSelectBenchmark data) throws IOException, InterruptedException {
      try (Stream<Path> s = Files.walk(data.blockDir)) {
        for (Path f : s.filter(Files::isRegularFile).toList()) {
          // GNU dd with iflag=nocache and count=0 calls posix_fadvise(DONTNEED) on the file.
          Process p = new ProcessBuilder("dd", "if=" + f, "iflag=nocache", "count=0", "status=none")
              .inheritIO().start();
          if (p.waitFor() != 0) {
            throw new IOException("dd could not drop " + f + " from the page cache");
          }
        }
      }
      block = Block.open(FileIo.DEFAULT, data.blockDir);
    }

    @TearDown(Level.Invocation)
    public void close() {
      block.close();
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    warm.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static double scan(Block b) {
    double sum = 0;
    long n = 0;
    try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(false, null, LabelMatcher.regex("__name__", ".+"));
      SampleIterator it = null;
      while (set.next()) {
        it = set.at().iterator(it);
        while (it.next() == ValueType.FLOAT) {
          sum += it.atV();
          n++;
        }
      }
    }
    if (n != (long) SERIES * SCRAPES) {
      throw new IllegalStateException("scanned " + n + " samples");
    }
    return sum;
  }

  /** As {@link #scan}, reading runs of floats with {@link SampleIterator#nextFloats}. */
  static double scanInBulk(Block b) {
    double sum = 0;
    long n = 0;
    long[] ts = new long[256];
    double[] vs = new double[256];
    try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(false, null, LabelMatcher.regex("__name__", ".+"));
      SampleIterator it = null;
      while (set.next()) {
        it = set.at().iterator(it);
        while (it.next() == ValueType.FLOAT) {
          sum += it.atV();
          n++;
          int k;
          while ((k = it.nextFloats(Long.MAX_VALUE, ts, vs, 0, ts.length)) > 0) {
            for (int i = 0; i < k; i++) {
              sum += vs[i];
            }
            n += k;
          }
        }
      }
    }
    if (n != (long) SERIES * SCRAPES) {
      throw new IllegalStateException("scanned " + n + " samples");
    }
    return sum;
  }

  @Benchmark
  public double warm() {
    return scan(warm);
  }

  @Benchmark
  public double warmBulk() {
    return scanInBulk(warm);
  }

  @Benchmark
  public double cold(Cold c) {
    return scan(c.block);
  }
}
