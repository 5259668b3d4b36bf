package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StorageException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTest {
  @TempDir Path dir;

  @Test
  void appendsQueriesAndReportsStats() {
    try (Db db = Db.open(dir.resolve("data"), DbOptions.defaults())) {
      assertTrue(db.isReady());
      Appender app = db.appender();
      for (int i = 0; i < 3; i++) {
        app.append(0, Labels.of("__name__", "up", "job", "j" + i), 1000, 1);
      }
      app.append(0, Labels.of("__name__", "cpu", "job", "j0"), 1000, 1);
      app.commit();
      try (Querier q = db.querier(0, 2000)) {
        SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "up"));
        int n = 0;
        while (set.next()) {
          n++;
        }
        assertEquals(3, n);
      }
      HeadStats stats = db.headStats();
      assertEquals(4, stats.numSeries());
      assertEquals(5, stats.numLabelPairs()); // __name__: up, cpu; job: j0, j1, j2
      assertEquals(4, stats.chunkCount());
      assertEquals(1000, stats.minTime());
      assertEquals(1000, stats.maxTime());
      assertEquals(
          List.of(new HeadStats.Stat("up", 3), new HeadStats.Stat("cpu", 1)),
          stats.seriesCountByMetricName());
      assertEquals(new HeadStats.Stat("__name__=up", 3), stats.seriesCountByLabelValuePair().get(0));
      assertEquals(new HeadStats.Stat("job", 3), stats.labelValueCountByLabelName().get(0));
      // job values are 2 bytes each over 4 series; __name__: "up"×3 + "cpu"×1 = 9 bytes.
      assertEquals(
          List.of(new HeadStats.Stat("__name__", 9), new HeadStats.Stat("job", 8)),
          stats.memoryInBytesByLabelName());
      assertTrue(db.walReplayStatus().done());
    }
  }

  @Test
  void closedDbRejectsUse() {
    Db db = Db.open(dir, DbOptions.defaults());
    db.close();
    assertFalse(db.isReady());
    assertThrows(StorageException.class, db::appender);
  }

  @Test
  void metricsCountAppendsRejectionsAndFsyncs() {
    try (Db db = Db.open(dir.resolve("m"), DbOptions.defaults())) {
      Labels up = Labels.of("__name__", "up");
      Appender app = db.appender();
      for (int i = 0; i < 130; i++) {
        app.append(0, up, i * 15_000L, 1);
      }
      app.commit();
      Appender bad = db.appender();
      assertThrows(dev.kiln.tsdb.storage.AppendException.class, () -> bad.append(0, up, 0, 2));
      assertThrows(dev.kiln.tsdb.storage.AppendException.class, () -> bad.append(0, up, 129 * 15_000L, 2));
      bad.rollback();
      java.util.Map<String, Double> m = new java.util.HashMap<>();
      for (DbMetric metric : db.metrics()) {
        m.put(metric.name(), metric.value());
      }
      assertEquals(1.0, m.get("prometheus_tsdb_head_series"));
      assertEquals(130.0, m.get("prometheus_tsdb_head_samples_appended_total"));
      assertEquals(1.0, m.get("prometheus_tsdb_out_of_order_samples_total"));
      assertEquals(1.0, m.get("kiln_tsdb_duplicate_samples_total"));
      assertEquals(2.0, m.get("prometheus_tsdb_head_chunks")); // 130 samples over 32.5 min: 120 + 10
      assertEquals(2.0, m.get("prometheus_tsdb_head_chunks_created_total"));
      assertEquals(129 * 15_000.0, m.get("prometheus_tsdb_head_max_time"));
      assertTrue(m.get("prometheus_tsdb_wal_fsync_duration_seconds_count") >= 1);
    }
  }
}
