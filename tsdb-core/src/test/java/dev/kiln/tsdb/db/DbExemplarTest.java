package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.ExemplarException;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exemplars appended with samples are stored at commit, logged (record type 4) and replayed on restart. */
class DbExemplarTest {
  @TempDir Path dir;

  private static final Labels S = Labels.of("__name__", "req_total", "job", "x");
  private static final List<List<LabelMatcher>> ALL = List.of(List.of(LabelMatcher.equal("job", "x")));

  private static Db open(Path p, long max) {
    Db db = Db.create(p, DbOptions.defaults(), dev.kiln.tsdb.io.FileIo.DEFAULT);
    db.resizeExemplars(max);
    db.start();
    return db;
  }

  @Test
  void exemplarsSurviveRestartAndCheckpoint() {
    Path p = dir.resolve("data");
    try (Db db = open(p, 100)) {
      Appender app = db.appender();
      long ref = app.append(0, S, 1000, 1);
      assertEquals(ref, app.appendExemplar(ref, S, Exemplar.of(Labels.of("trace_id", "abc", "empty", ""), 0.5, 990)));
      app.commit();
      app = db.appender();
      app.append(ref, S, 2000, 2);
      app.appendExemplar(ref, S, Exemplar.of(Labels.of("trace_id", "def"), 0.7, 1990));
      app.commit();
      assertEquals(2, db.exemplarQuerier().select(0, 5000, ALL).get(0).exemplars().size());
    }
    try (Db db = open(p, 100)) {
      List<SeriesExemplars> got = db.exemplarQuerier().select(0, 5000, ALL);
      assertEquals(1, got.size());
      assertEquals(S, got.get(0).seriesLabels());
      assertEquals(List.of(Exemplar.of(Labels.of("trace_id", "abc"), 0.5, 990), Exemplar.of(Labels.of("trace_id", "def"), 0.7, 1990)),
          got.get(0).exemplars());
      db.wal().checkpoint(Long.MIN_VALUE, r -> true);
    }
    try (Db db = open(p, 100)) {
      assertEquals(2, db.exemplarQuerier().select(0, 5000, ALL).get(0).exemplars().size());
    }
    try (Db db = open(p, 0)) {
      assertEquals(List.of(), db.exemplarQuerier().select(0, 5000, ALL));
    }
  }

  @Test
  void exemplarOfUnknownSeriesIsRejectedAndOutOfOrderCounted() {
    try (Db db = open(dir.resolve("d2"), 10)) {
      Appender app = db.appender();
      assertThrows(ExemplarException.class, () -> app.appendExemplar(0, S, Exemplar.of(Labels.EMPTY, 1, 1)));
      long ref = app.append(0, S, 1000, 1);
      app.appendExemplar(ref, null, Exemplar.of(Labels.EMPTY, 1, 1000));
      app.appendExemplar(ref, null, Exemplar.of(Labels.EMPTY, 1, 500)); // older than one pending: caught at commit
      app.commit();
      Appender late = db.appender();
      assertThrows(ExemplarException.class, () -> late.appendExemplar(ref, S, Exemplar.of(Labels.EMPTY, 1, 10)));
      late.rollback();
      double ooo = db.metrics().stream().filter(m -> m.name().equals("prometheus_tsdb_exemplar_out_of_order_exemplars_total"))
          .findFirst().orElseThrow().value();
      assertEquals(1, ooo);
      assertEquals(1, db.exemplarQuerier().select(0, 5000, ALL).get(0).exemplars().size());
    }
  }
}
