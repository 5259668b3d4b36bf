package dev.kiln.benchmarks.promql;

import dev.kiln.benchmarks.sidebyside.DashboardBench;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * CPU per dashboard query over a real Kiln data directory (blocks, memory-mapped head chunks and
 * write-ahead log, e.g. one written by {@code dashboard.sh}'s remote-write load), without HTTP and
 * JSON: the 6 h / 30 s range query of each selected query of the workload file, on the sequential
 * engine (query-thread CPU and bytes allocated) and on an engine with one worker (process CPU, which includes the
 * worker's share), medians of the rounds. Opens the directory as a database (the caller passes a
 * copy: opening replays the log and may write). Run with {@code java -cp benchmarks.jar
 * dev.kiln.benchmarks.promql.DashboardCpuReport DIR END_MILLIS QUERIES_MD ROUNDS [q,q,...]}.
 */
public final class DashboardCpuReport {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private DashboardCpuReport() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long end = Long.parseLong(args[1]);
    List<String> queries = DashboardBench.queries(Path.of(args[2]));
    int rounds = Integer.parseInt(args[3]);
    int[] selected = args.length > 4
        ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray()
        : java.util.stream.IntStream.range(0, queries.size()).toArray();
    long start = end - 6 * 3_600_000L;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      Engine seq = new Engine(EngineOptions.DEFAULTS);
      Engine par = new Engine(EngineOptions.DEFAULTS, pool, 1);
      for (int pass = 0; pass < 3; pass++) {
        for (int q : selected) {
          run(seq, db, queries.get(q), start, end);
          run(par, db, queries.get(q), start, end);
        }
      }
      for (int q : selected) {
        String expr = queries.get(q);
        double[] thread = new double[rounds];
        double[] proc = new double[rounds];
        double[] wall = new double[rounds];
        double[] alloc = new double[rounds];
        long self = Thread.currentThread().getId();
        for (int i = 0; i < rounds; i++) {
          long a0 = THREADS.getThreadAllocatedBytes(self);
          long c0 = THREADS.getCurrentThreadCpuTime();
          run(seq, db, expr, start, end);
          thread[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
          alloc[i] = (THREADS.getThreadAllocatedBytes(self) - a0) / 1e6;
          long p0 = os.getProcessCpuTime();
          long w0 = System.nanoTime();
          run(par, db, expr, start, end);
          wall[i] = (System.nanoTime() - w0) / 1e6;
          proc[i] = (os.getProcessCpuTime() - p0) / 1e6;
        }
        Arrays.sort(thread);
        Arrays.sort(proc);
        Arrays.sort(wall);
        Arrays.sort(alloc);
        System.out.printf("q%d 6h: sequential %.1f ms thread CPU, %.1f MB allocated; one worker %.1f ms process CPU,"
            + " %.1f ms wall%n", q, thread[rounds / 2], alloc[rounds / 2], proc[rounds / 2], wall[rounds / 2]);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Object run(Engine engine, Db db, String expr, long start, long end) {
    return engine.rangeQuery(db, QueryOptions.DEFAULTS, expr, start, end, 30_000).exec().value();
  }
}
