package dev.kiln.benchmarks.promql;

import dev.kiln.benchmarks.CpuTime;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.storage.Queryable;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/**
 * CPU cost of {@link RangeQueryBenchmark}'s {@code sum by (instance) (rate(...[5m]))} over 10,000
 * series × 6 h (step 30 s) for a machine too loaded for wall-clock scores: the query thread's CPU
 * time per query on the sequential engine (median of rounds, see {@link CpuTime}), over the head
 * and over a database whose head was compacted into blocks. Run with {@code java -cp
 * benchmarks.jar dev.kiln.benchmarks.promql.RangeQueryCpuReport [rounds]}; prints one line per
 * storage. Also prints the process CPU and wall time per query of an engine with one worker
 * thread, whose CPU is spread over two threads.
 */
public final class RangeQueryCpuReport {
  private RangeQueryCpuReport() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("kiln-cpu-report");
    try {
      Head head = Head.inMemory();
      PromQLDataset.load(head, PromQLDataset.nodeCpuSeries(), false);
      report("head", head, rounds);
      head.close();
      Db db = Db.open(Files.createDirectories(dir.resolve("cpu")), DbOptions.builder().walEnabled(false).build());
      PromQLDataset.load(db, PromQLDataset.nodeCpuSeries(), false);
      db.compact();
      report("db", db, rounds);
      db.close();
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void report(String name, Queryable storage, int rounds) throws Exception {
    Engine seq = new Engine(EngineOptions.DEFAULTS);
    double cpu = CpuTime.nanosPerCall(() -> query(seq, storage), rounds, 1);
    System.out.printf("%s sequential: %.1f ms query-thread CPU per query%n", name, cpu / 1e6);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
    try {
      Engine par = new Engine(EngineOptions.DEFAULTS, pool, 1);
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      query(par, storage);
      double[] procCpu = new double[rounds];
      double[] wall = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        long c0 = os.getProcessCpuTime();
        long w0 = System.nanoTime();
        query(par, storage);
        wall[i] = (System.nanoTime() - w0) / 1e6;
        procCpu[i] = (os.getProcessCpuTime() - c0) / 1e6;
      }
      Arrays.sort(procCpu);
      Arrays.sort(wall);
      System.out.printf("%s one worker: %.1f ms process CPU, %.1f ms wall per query (medians)%n",
          name, procCpu[rounds / 2], wall[rounds / 2]);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Object query(Engine engine, Queryable storage) {
    return engine.rangeQuery(storage, QueryOptions.DEFAULTS, RangeQueryBenchmark.CPU_QUERY,
        PromQLDataset.START_MILLIS, PromQLDataset.END_MILLIS, 30_000).exec().value();
  }
}
