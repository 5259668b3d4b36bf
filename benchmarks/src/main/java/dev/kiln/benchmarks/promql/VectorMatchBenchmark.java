package dev.kiln.benchmarks.promql;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One-to-one vector matching in a range query, on the query's thread alone over the reference
 * {@link InMemoryStorage}: the dashboard's filesystem ratio
 * {@code 100 - (node_filesystem_avail_bytes / node_filesystem_size_bytes) * 100} over 1,200 series
 * per side (400 hosts × 3 mount points, as the 50k-series dashboard workload selects), 2 h of
 * samples at 15 s queried over 1 h at 15 s (241 steps). Selection costs little here (the samples
 * are plain arrays), so the score is mostly the matching: signatures, result labels and output
 * series per step. Score: milliseconds per query. {@link #main} prints the median thread CPU
 * time per query instead (steadier than wall time on a shared machine).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class VectorMatchBenchmark {
  static final String QUERY = "100 - (node_filesystem_avail_bytes / node_filesystem_size_bytes) * 100";
  private static final String[] MOUNTS = {"/", "/boot", "/data"};
  private static final long END = PromQLDataset.START_MILLIS + 2 * 3_600_000L;

  private InMemoryStorage storage;
  private Engine engine;

  @Setup(Level.Trial)
  public void load() {
    engine = new Engine(EngineOptions.DEFAULTS);
    storage = new InMemoryStorage();
    Labels[] avail = new Labels[400 * MOUNTS.length];
    Labels[] size = new Labels[avail.length];
    int k = 0;
    for (int h = 0; h < 400; h++) {
      for (String mnt : MOUNTS) {
        String inst = "host-" + h + ":9100";
        avail[k] = Labels.of("__name__", "node_filesystem_avail_bytes", "device", "sda", "fstype", "ext4",
            "instance", inst, "job", "node", "mountpoint", mnt);
        size[k] = Labels.of("__name__", "node_filesystem_size_bytes", "device", "sda", "fstype", "ext4",
            "instance", inst, "job", "node", "mountpoint", mnt);
        k++;
      }
    }
    long[] ra = new long[avail.length];
    long[] rs = new long[avail.length];
    for (long t = PromQLDataset.START_MILLIS; t <= END; t += PromQLDataset.SCRAPE_INTERVAL_MILLIS) {
      Appender app = storage.appender();
      for (int s = 0; s < avail.length; s++) {
        ra[s] = app.append(ra[s], avail[s], t, 1e9 + (s * 7919L + t / 1000) % 100_000_000L, AppendOptions.NONE);
        rs[s] = app.append(rs[s], size[s], t, 2e9 + s, AppendOptions.NONE);
      }
      app.commit();
    }
  }

  @Benchmark
  public Matrix filesystemRatio() {
    return (Matrix) engine.rangeQuery(storage, QueryOptions.DEFAULTS, QUERY, END - 3_600_000L, END, 15_000)
        .exec().value();
  }

  public static void main(String[] args) throws Exception {
    VectorMatchBenchmark b = new VectorMatchBenchmark();
    b.load();
    double ns = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::filesystemRatio, 9, 40);
    System.out.printf("filesystem ratio, 1,200 series per side, 241 steps: %.2f ms CPU per query%n", ns / 1e6);
  }
}
