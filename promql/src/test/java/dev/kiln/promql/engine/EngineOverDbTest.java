package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.RangeSeries;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries over the database, after its head was compacted into persistent blocks, give the same
 * results as over the reference store: the engine reads merged block and head data correctly.
 */
class EngineOverDbTest {
  @TempDir Path dir;

  @Test
  void blocksAndHeadAnswerLikeTheReferenceStore() throws IOException {
    long seed = Long.getLong("test.seed", System.nanoTime());
    Random r = new Random(seed);
    InMemoryStorage memory = new InMemoryStorage();
    try (Db db = Db.open(Files.createDirectories(dir.resolve("db")), DbOptions.builder().walEnabled(false).build())) {
      Labels[] series = new Labels[40];
      double[] value = new double[series.length];
      for (int i = 0; i < series.length; i++) {
        series[i] = Labels.of("__name__", "c_total", "job", i % 3 == 0 ? "a" : "b", "i", Integer.toString(i));
      }
      long end = 8 * 3600_000L;
      for (long t = 0; t <= end; t += 15_000) {
        Appender a = db.appender();
        Appender b = memory.appender();
        for (int i = 0; i < series.length; i++) {
          value[i] += r.nextInt(20) == 0 ? -value[i] : r.nextInt(100);
          a.append(0, series[i], t, value[i], AppendOptions.NONE);
          b.append(0, series[i], t, value[i], AppendOptions.NONE);
        }
        a.commit();
        b.commit();
      }
      db.compact();
      assertTrue(!db.blocks().isEmpty(), "the head should have been compacted into blocks");
      Engine engine = new Engine(EngineOptions.DEFAULTS);
      for (String q : List.of("sum by (job) (rate(c_total[5m]))", "max_over_time(c_total[10m])",
          "c_total offset 1h", "count(resets(c_total[1h]) > 0)")) {
        Matrix expected = (Matrix) engine.rangeQuery(memory, QueryOptions.DEFAULTS, q, 0, end, 60_000).exec().value();
        Matrix actual = (Matrix) engine.rangeQuery(db, QueryOptions.DEFAULTS, q, 0, end, 60_000).exec().value();
        assertEquals(expected.series().size(), actual.series().size(), q + ", seed " + seed);
        for (int s = 0; s < expected.series().size(); s++) {
          RangeSeries e = expected.series().get(s);
          RangeSeries a = actual.series().get(s);
          assertEquals(e.labels(), a.labels(), q + ", seed " + seed);
          assertEquals(e.count(), a.count(), q + " " + e.labels() + ", seed " + seed);
          for (int k = 0; k < e.count(); k++) {
            assertEquals(e.timestampAt(k), a.timestampAt(k));
            assertTrue(FloatCompare.almostEqual(e.valueAt(k), a.valueAt(k), 1e-9),
                q + " " + e.labels() + " at " + e.timestampAt(k) + ": " + e.valueAt(k) + " vs " + a.valueAt(k)
                    + ", seed " + seed);
          }
        }
      }
    }
  }
}
