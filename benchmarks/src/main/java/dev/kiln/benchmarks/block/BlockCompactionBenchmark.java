package dev.kiln.benchmarks.block;

import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Head compaction: writing a 2 h block (480 samples per series at 15 s) from a filled head.
 * Score: seconds per block. After each write the heap peak above the pre-write baseline (heap
 * pools' peak usage, reset before the write, minus the used heap after a GC) is printed as
 * {@code extra peak heap}: the memory the compaction itself needs on top of the head.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BlockCompactionBenchmark {
  @Param({"100000"})
  public int series;

  Head head;
  Path dir;
  long baseline;

  @Setup(Level.Trial)
  public void fill() {
    head = Head.inMemory();
    BlockDataset.fill(head, series, 480, null);
  }

  @Setup(Level.Invocation)
  public void prepare() throws IOException {
    dir = Files.createTempDirectory("kiln-block-compact");
    System.gc();
    baseline = used();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static long used() {
    long u = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        u += p.getUsage().getUsed();
      }
    }
    return u;
  }

  @TearDown(Level.Invocation)
  public void cleanup() throws IOException {
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    System.out.printf("%nextra peak heap: %d MiB (baseline %d MiB)%n", (peak - baseline) >> 20, baseline >> 20);
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public BlockMeta writeHeadBlock() throws IOException {
    return HeadBlockWriter.write(FileIo.DEFAULT, dir, head, BlockDataset.START - 15_000,
        BlockDataset.START - 15_000 + 7_200_000L + 15_000);
  }
}
