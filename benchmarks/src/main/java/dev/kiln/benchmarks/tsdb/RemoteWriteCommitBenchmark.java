package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The head's side of a remote_write request, as 4 connections send it: each invocation appends
 * one sample to each of 500 known series by reference and commits (WAL fsynced per commit, the
 * default; or no WAL, to see the head's own cost). Each of the 4 threads owns 2,500 series (5
 * batches of 500 in turn), so 10k series are active. Score: samples per second; with {@code -prof
 * gc}, bytes allocated per sample.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RemoteWriteCommitBenchmark {
  static final int BATCH = 500;
  static final int BATCHES_PER_THREAD = 5;

  /** The database, shared by all threads. */
  @State(Scope.Benchmark)
  public static class DbState {
    /** "commit": WAL fsynced on every commit; "off": no WAL. */
    @Param({"commit", "off"})
    public String wal;

    Db db;
    Path dir;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("kiln-rw-commit-bench");
      db = Db.open(dir, DbOptions.builder().walEnabled(!wal.equals("off")).walSyncIntervalMillis(0).build());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      db.close();
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** One connection's series and the next batch it sends. */
  @State(Scope.Thread)
  public static class Connection {
    long[][] refs = new long[BATCHES_PER_THREAD][BATCH];
    long t = 1_700_000_000_000L;
    int next;
    double v;

    @Setup(Level.Trial)
    public void setup(DbState db) {
      int id = db.threads.getAndIncrement();
      for (int b = 0; b < BATCHES_PER_THREAD; b++) {
        Appender app = db.db.appender();
        for (int i = 0; i < BATCH; i++) {
          int s = (id * BATCHES_PER_THREAD + b) * BATCH + i;
          Labels l = Labels.of("__name__", "node_cpu_seconds_total", "cpu", Integer.toString(s % 64),
              "instance", "host-" + (s / 512) + ":9100", "job", "node", "mode", "m" + ((s / 64) % 8));
          refs[b][i] = app.append(0, l, t, 0);
        }
        app.commit();
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  @Threads(4)
  public long fourConnections(DbState s, Connection c) {
    int b = c.next;
    c.next = (b + 1) % BATCHES_PER_THREAD;
    if (b == 0) {
      c.t += 15_000;
      c.v += 1.5;
    }
    long[] refs = c.refs[b];
    Appender app = s.db.appender();
    long last = 0;
    for (int i = 0; i < BATCH; i++) {
      last = app.append(refs[i], null, c.t, c.v + (i % 7) * 0.01);
    }
    app.commit();
    return last;
  }
}
