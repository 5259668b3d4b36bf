package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SeriesSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of a head selection over 100k series × 130 samples (each with one full open chunk):
 * the snapshot taken under the head's isolation lock, which holds off commits while it runs, and
 * the sort by labels. Score: milliseconds per select.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HeadSelectBenchmark {
  static final int SERIES = 100_000;
  Db db;
  Path dir;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("kiln-select-bench");
    db = Db.open(dir, DbOptions.builder().walEnabled(false).build());
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(SERIES / 220 + 1, 1);
    long[] refs = new long[SERIES];
    long t = 1_700_000_000_000L;
    for (int s = 0; s < 130; s++) {
      t += 15_000;
      Appender app = db.appender();
      for (int i = 0; i < SERIES; i++) {
        Labels l = refs[i] == 0 ? specs.get(i).labels() : null;
        refs[i] = app.append(refs[i], l, t, s + i);
      }
      app.commit();
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    db.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public int selectAllUnsorted() {
    return select(false);
  }

  @Benchmark
  public int selectAllSorted() {
    return select(true);
  }

  private int select(boolean sorted) {
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(sorted, null, LabelMatcher.regex("__name__", ".+"));
      int n = 0;
      while (set.next()) {
        n++;
      }
      return n;
    }
  }
}
