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
 * Wall time and CPU of dashboard range queries over a real Kiln data directory, without HTTP and
 * JSON, on an engine with one worker besides the query's thread (as the server runs on two cores):
 * the 1 h / 15 s and 6 h / 30 s range queries of each selected query of the workload file, with
 * the wall time, the process CPU (which includes the worker's share) and the query thread's CPU,
 * medians of the rounds after three warm-up passes. Opens the directory as a database (the caller
 * passes a copy: opening replays the log and may write). Run with {@code java -cp benchmarks.jar
 * dev.kiln.benchmarks.promql.DashboardWallReport DIR END_MILLIS QUERIES_MD ROUNDS q,q,...}.
 */
public final class DashboardWallReport {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final long HOUR = 3_600_000L;

  private DashboardWallReport() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long end = Long.parseLong(args[1]);
    List<String> queries = DashboardBench.queries(Path.of(args[2]));
    int rounds = Integer.parseInt(args[3]);
    int[] selected = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
    long[][] ranges = {{HOUR, 15_000}, {6 * HOUR, 30_000}};
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      Engine par = new Engine(EngineOptions.DEFAULTS, pool, 1);
      for (int pass = 0; pass < 3; pass++) {
        for (int q : selected) {
          for (long[] r : ranges) {
            run(par, db, queries.get(q), end - r[0], end, r[1]);
          }
        }
      }
      for (int q : selected) {
        for (long[] r : ranges) {
          double[] wall = new double[rounds];
          double[] proc = new double[rounds];
          double[] thread = new double[rounds];
          for (int i = 0; i < rounds; i++) {
            long p0 = os.getProcessCpuTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            run(par, db, queries.get(q), end - r[0], end, r[1]);
            wall[i] = (System.nanoTime() - w0) / 1e6;
            thread[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
            proc[i] = (os.getProcessCpuTime() - p0) / 1e6;
          }
          Arrays.sort(wall);
          Arrays.sort(proc);
          Arrays.sort(thread);
          System.out.printf("q%d %dh: one worker %.1f ms wall, %.1f ms process CPU, %.1f ms query-thread CPU%n",
              q, r[0] / HOUR, wall[rounds / 2], proc[rounds / 2], thread[rounds / 2]);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Object run(Engine engine, Db db, String expr, long start, long end, long step) {
    return engine.rangeQuery(db, QueryOptions.DEFAULTS, expr, start, end, step).exec().value();
  }
}
