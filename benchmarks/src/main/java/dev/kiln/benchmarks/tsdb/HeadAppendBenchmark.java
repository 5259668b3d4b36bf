package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Append throughput of a {@link Db} (WAL with group commit and memory-mapped head chunks, or
 * WAL off): each invocation appends one sample to each of 100k series per thread and commits, as
 * a scrape of 100k series does. Series refs are cached after the first round, as the scraper
 * does. Score: samples per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HeadAppendBenchmark {
  static final int SERIES_PER_THREAD = 100_000;

  /** The database, shared by all threads. */
  @State(Scope.Benchmark)
  public static class DbState {
    @Param({"true", "false"})
    public boolean wal;

    Db db;
    Path dir;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("kiln-append-bench");
      db = Db.open(dir, DbOptions.builder().walEnabled(wal).build());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      db.close();
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** One thread's series: its own 100k label sets and refs. */
  @State(Scope.Thread)
  public static class Writer {
    Labels[] labels;
    long[] refs;
    long t = 1_700_000_000_000L;
    double v;

    @Setup(Level.Trial)
    public void setup(DbState db) {
      int id = db.threads.getAndIncrement();
      List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(SERIES_PER_THREAD / 220 + 1, id);
      labels = new Labels[SERIES_PER_THREAD];
      refs = new long[SERIES_PER_THREAD];
      for (int i = 0; i < SERIES_PER_THREAD; i++) {
        labels[i] = specs.get(i).labels().toBuilder().set("writer", "w" + id).build();
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(SERIES_PER_THREAD)
  @Threads(1)
  public long oneThread(DbState s, Writer w) {
    return round(s, w);
  }

  @Benchmark
  @OperationsPerInvocation(SERIES_PER_THREAD)
  @Threads(2)
  public long twoThreads(DbState s, Writer w) {
    return round(s, w);
  }

  private static long round(DbState s, Writer w) {
    Appender app = s.db.appender();
    w.t += 15_000;
    w.v += 1;
    long last = 0;
    for (int i = 0; i < SERIES_PER_THREAD; i++) {
      long ref = app.append(w.refs[i], w.refs[i] == 0 ? w.labels[i] : null, w.t, w.v + i);
      w.refs[i] = ref;
      last = ref;
    }
    app.commit();
    return last;
  }
}
