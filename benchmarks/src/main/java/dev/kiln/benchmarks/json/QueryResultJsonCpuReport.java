package dev.kiln.benchmarks.json;

import dev.kiln.promql.Matrix;
import dev.kiln.promql.RangeSeries;
import dev.kiln.server.api.ResultWriter;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Response;
import dev.kiln.tsdb.model.Labels;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CPU and allocation of encoding a range query's result as the API's JSON, the last step of every
 * {@code /api/v1/query_range}: 40 series × 241 steps (a 1 h range at 15 s, 9,640 sample pairs, as the
 * dashboard's {@code avg by (instance) (rate(...))} answers), values like a rate's (17-digit fractions)
 * and a percentage's, with node_exporter-style labels. Prints the median thread CPU time and the bytes
 * allocated per encoding over ROUNDS rounds of 200 encodings each, after a warm-up.
 *
 * <pre>java -cp benchmarks.jar dev.kiln.benchmarks.json.QueryResultJsonCpuReport [ROUNDS]</pre>
 *
 * Machine: 2 shared vCPUs, OpenJDK 17.
 */
public final class QueryResultJsonCpuReport {
  private QueryResultJsonCpuReport() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    Matrix m = matrix(40, 241);
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int i = 0; i < 2000; i++) {
      sink += encode(m).body().length;
    }
    double[] cpu = new double[rounds];
    double[] alloc = new double[rounds];
    long tid = Thread.currentThread().getId();
    for (int r = 0; r < rounds; r++) {
      long c0 = bean.getCurrentThreadCpuTime();
      long a0 = bean.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 200; i++) {
        sink += encode(m).body().length;
      }
      cpu[r] = (bean.getCurrentThreadCpuTime() - c0) / 200 / 1e6;
      alloc[r] = (bean.getThreadAllocatedBytes(tid) - a0) / 200.0;
    }
    Arrays.sort(cpu);
    Arrays.sort(alloc);
    System.out.printf("40 series x 241 steps: %.3f ms CPU per encoding (median of %d), %.0f bytes allocated, %d bytes out (%d)%n",
        cpu[rounds / 2], rounds, alloc[rounds / 2], encode(m).body().length, sink % 7);
  }

  private static Response encode(Matrix m) {
    return ApiResponses.success(out -> ResultWriter.write(out, m, 0, 0), List.of(), List.of());
  }

  static Matrix matrix(int series, int steps) {
    SplittableRandom r = new SplittableRandom(42);
    List<RangeSeries> out = new ArrayList<>();
    long start = 1_796_400_000_000L;
    for (int s = 0; s < series; s++) {
      long[] ts = new long[steps];
      double[] vs = new double[steps];
      for (int i = 0; i < steps; i++) {
        ts[i] = start + i * 15_000L;
        vs[i] = s % 2 == 0 ? 100 - r.nextInt(100_000) / 3000.0 : r.nextDouble() * 4;
      }
      Labels l = Labels.of("instance", "host-" + s + ".example:9100", "job", "node");
      out.add(new RangeSeries(l, ts, vs, steps));
    }
    return new Matrix(out);
  }
}
