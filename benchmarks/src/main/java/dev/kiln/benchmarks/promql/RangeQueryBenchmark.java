package dev.kiln.benchmarks.promql;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.storage.Queryable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Range-query evaluation over 10,000 series × 6 h at 15 s (1,440 samples per series), step 30 s
 * (721 steps), on the query's thread alone or with {@code helpers} worker threads, for these
 * dashboard queries:
 *
 * <ul>
 *   <li>{@code sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))}: 8,750 of the
 *       series selected, 12.6 M samples read;
 *   <li>{@code histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))}: all 10,000 series,
 *       14.4 M samples read;
 *   <li>{@code histogram_quantile(0.9, rate(x_bucket[5m]))}: the same without aggregation, 1,000
 *       histograms of 10 buckets each.
 * </ul>
 *
 * <p>Score: milliseconds per query. Samples per second = samples read / time; allocations per
 * sample = {@code gc.alloc.rate.norm} (with {@code -prof gc}) / samples read. Storage is either
 * the reference {@link InMemoryStorage}, the real {@link Head} (XOR chunks), or a database whose
 * head was compacted into persistent, memory-mapped blocks. Measured on the
 * 2-core development machine; see docs/benchmarks.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class RangeQueryBenchmark {
  static final String CPU_QUERY = "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))";
  static final String HISTOGRAM_QUERY = "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))";
  static final String PER_POD_HISTOGRAM_QUERY = "histogram_quantile(0.9, rate(x_bucket[5m]))";

  /** head: the in-memory head; db: a database whose head was compacted into blocks; memory. */
  @Param({"head", "db", "memory"})
  public String storage;

  private java.nio.file.Path dbDir;

  /**
   * Worker threads the engine may use besides the query's own (0: the query's thread alone; the
   * server runs one per further core).
   */
  @Param({"0", "1"})
  public int helpers;

  private Queryable cpuStorage;
  private Queryable histogramStorage;
  private java.util.concurrent.ExecutorService workers;
  private Engine engine;

  @Setup(Level.Trial)
  public void load() {
    if (helpers > 0) {
      workers = java.util.concurrent.Executors.newFixedThreadPool(helpers, r -> {
        Thread t = new Thread(r, "kiln-query-worker");
        t.setDaemon(true);
        return t;
      });
      engine = new Engine(EngineOptions.DEFAULTS, workers, helpers);
    } else {
      engine = new Engine(EngineOptions.DEFAULTS);
    }
    if (storage.equals("db")) {
      try {
        dbDir = java.nio.file.Files.createTempDirectory("kiln-promql-bench");
        dev.kiln.tsdb.db.Db cpu = dev.kiln.tsdb.db.Db.open(java.nio.file.Files.createDirectories(dbDir.resolve("cpu")),
            dev.kiln.tsdb.db.DbOptions.builder().walEnabled(false).build());
        dev.kiln.tsdb.db.Db hist = dev.kiln.tsdb.db.Db.open(java.nio.file.Files.createDirectories(dbDir.resolve("hist")),
            dev.kiln.tsdb.db.DbOptions.builder().walEnabled(false).build());
        PromQLDataset.load(cpu, PromQLDataset.nodeCpuSeries(), false);
        PromQLDataset.load(hist, PromQLDataset.histogramSeries(), true);
        cpu.compact();
        hist.compact();
        cpuStorage = cpu;
        histogramStorage = hist;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    } else if (storage.equals("head")) {
      Head cpu = Head.inMemory();
      Head hist = Head.inMemory();
      PromQLDataset.load(cpu, PromQLDataset.nodeCpuSeries(), false);
      PromQLDataset.load(hist, PromQLDataset.histogramSeries(), true);
      cpuStorage = cpu;
      histogramStorage = hist;
    } else {
      InMemoryStorage cpu = new InMemoryStorage();
      InMemoryStorage hist = new InMemoryStorage();
      PromQLDataset.load(cpu, PromQLDataset.nodeCpuSeries(), false);
      PromQLDataset.load(hist, PromQLDataset.histogramSeries(), true);
      cpuStorage = cpu;
      histogramStorage = hist;
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    if (workers != null) {
      workers.shutdownNow();
    }
    if (cpuStorage instanceof AutoCloseable c) {
      c.close();
    }
    if (histogramStorage instanceof AutoCloseable c) {
      c.close();
    }
    if (dbDir != null) {
      try (var files = java.nio.file.Files.walk(dbDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Benchmark
  public Matrix sumByInstanceRate() {
    return (Matrix) engine.rangeQuery(cpuStorage, QueryOptions.DEFAULTS, CPU_QUERY,
        PromQLDataset.START_MILLIS, PromQLDataset.END_MILLIS, 30_000).exec().value();
  }

  @Benchmark
  public Matrix histogramQuantileOfRate() {
    return (Matrix) engine.rangeQuery(histogramStorage, QueryOptions.DEFAULTS, HISTOGRAM_QUERY,
        PromQLDataset.START_MILLIS, PromQLDataset.END_MILLIS, 30_000).exec().value();
  }

  @Benchmark
  public Matrix histogramQuantilePerPod() {
    return (Matrix) engine.rangeQuery(histogramStorage, QueryOptions.DEFAULTS, PER_POD_HISTOGRAM_QUERY,
        PromQLDataset.START_MILLIS, PromQLDataset.END_MILLIS, 30_000).exec().value();
  }
}
