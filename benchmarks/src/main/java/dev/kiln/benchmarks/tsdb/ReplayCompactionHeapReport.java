package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.compact.BlockCompactor;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Heap high-water marks of write-ahead log replay and compaction at scale: writes {@code series}
 * node_exporter-like series × {@code samples} samples at 15 s through a {@link Db} (one commit per
 * 100k samples, head block range {@code rangeMinutes}, background compaction off) and closes it;
 * then reopens it (replay into the head), runs {@link Db#compact()} (the head's completed ranges
 * become blocks, the WAL is checkpointed and the head truncated), and merges the blocks it wrote
 * into one ({@link BlockCompactor}). For every phase it prints the heap live before, the most heap
 * in use before any collection, the most heap in use after any collection and after a full collection
 * (the live set: what the phase needs the heap to hold; see {@link HeapHighWater}) and the heap live after.
 * Run it with {@code -Xmx} just above the head's own size to show that a phase fits.
 *
 * <p>Run with a small young generation, so that the collector's notifications see the live set
 * often: {@code java -XX:+UseSerialGC -Xmn64m -Xmx3g -cp benchmarks.jar
 * dev.kiln.benchmarks.tsdb.ReplayCompactionHeapReport [series] [samples] [rangeMinutes]}
 * (defaults 1000000 120 10).
 */
public final class ReplayCompactionHeapReport {
  private ReplayCompactionHeapReport() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    long range = (args.length > 2 ? Long.parseLong(args[2]) : 10) * 60_000L;
    Path dir = Files.createTempDirectory("kiln-heap-high-water");
    DbOptions options = DbOptions.builder().chunkRangeMillis(range).compactionIntervalMillis(0).build();
    System.out.printf("series=%d samples/series=%d block range=%d min, -Xmx %d MiB%n", series, samples,
        range / 60_000, Runtime.getRuntime().maxMemory() >> 20);
    try (HeapHighWater hw = new HeapHighWater()) {
      Phase write = Phase.start("write", hw);
      List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(series / 220 + 1, 9);
      long[] refs = new long[series];
      long t0 = 1_700_000_000_000L / range * range;
      try (Db db = Db.open(dir, options)) {
        for (int s = 0; s < samples; s++) {
          long t = t0 + s * 15_000L;
          for (int from = 0; from < series; from += 100_000) {
            Appender app = db.appender();
            for (int i = from; i < Math.min(series, from + 100_000); i++) {
              Labels l = refs[i] == 0 ? specs.get(i).labels() : null;
              refs[i] = app.append(refs[i], l, t, s * 2.5 + (i & 1023));
            }
            app.commit();
          }
        }
      }
      specs = null;
      refs = null;
      write.end(hw, "wal=" + (du(dir.resolve("wal")) >> 20) + " MiB");

      Phase replay = Phase.start("replay", hw);
      try (Db db = Db.open(dir, options)) {
        replay.end(hw, "head series=" + db.head().numSeries());

        Phase compact = Phase.start("compact", hw);
        int written = db.compact();
        compact.end(hw, "blocks written=" + written + ", head series after=" + db.head().numSeries());

        List<Block> blocks = db.blocks();
        if (blocks.size() > 1) {
          Path out = Files.createDirectories(dir.resolve("merged"));
          Phase merge = Phase.start("merge", hw);
          BlockMeta m = BlockCompactor.compact(FileIo.DEFAULT, out, blocks);
          merge.end(hw, "blocks merged=" + blocks.size() + ", series=" + m.numSeries() + ", samples="
              + m.numSamples());
        }
      }
    } finally {
      try (var st = Files.walk(dir)) {
        st.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long du(Path p) throws Exception {
    try (var st = Files.walk(p)) {
      return st.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** One measured phase: the heap live at its start and its wall time. */
  private record Phase(String name, long liveBefore, long startNanos) {
    static Phase start(String name, HeapHighWater hw) throws InterruptedException {
      long live = HeapHighWater.liveNow();
      Thread.sleep(100); // the collector's notifications arrive on their own thread
      hw.reset();
      return new Phase(name, live, System.nanoTime());
    }

    void end(HeapHighWater hw, String what) throws InterruptedException {
      double secs = (System.nanoTime() - startNanos) / 1e9;
      Thread.sleep(200);
      long peakUsed = hw.peakUsed();
      long peakLive = hw.peakLive();
      long peakFull = hw.peakLiveFull();
      int gcs = hw.collections();
      int fulls = hw.fullCollections();
      long pools = HeapHighWater.poolPeakSum();
      long after = HeapHighWater.liveNow();
      System.out.printf("%-8s %6.1f s  live before %5d MiB  peak in use %5d MiB (pool peaks %5d)  peak after GC %5d MiB"
              + "  peak after full GC %5d MiB  live after %5d MiB  (%d collections, %d full; %s)%n",
          name, secs, liveBefore >> 20, peakUsed >> 20, pools >> 20, peakLive >> 20, peakFull >> 20, after >> 20,
          gcs, fulls, what);
    }
  }
}
