package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tsdb-core API end to end: open, append, commit, query, reopen. Output-checked. */
class DbExampleTest {
  @TempDir Path dir;

  @Test
  void example() {
    StringBuilder out = new StringBuilder();
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      Appender app = db.appender();
      long ref = app.append(0, Labels.of("__name__", "http_requests_total", "job", "api"), 1000, 1);
      app.append(ref, null, 16000, 5); // later samples can use the ref alone
      app.append(0, Labels.of("__name__", "http_requests_total", "job", "db"), 1000, 7);
      app.commit(); // durable in the write-ahead log when this returns
    }
    try (Db db = Db.open(dir, DbOptions.defaults()); // replays the log
        Querier q = db.querier(0, 20000)) {
      SeriesSet set = q.select(true, null, LabelMatcher.regex("job", "api|db"));
      while (set.next()) {
        Series s = set.at();
        out.append(s.labels());
        SampleIterator it = s.iterator(null);
        while (it.next() == ValueType.FLOAT) {
          out.append(' ').append(it.atT()).append('@').append(it.atV());
        }
        out.append('\n');
      }
      out.append(q.labelValues("job"));
    }
    assertEquals(
        "{__name__=\"http_requests_total\", job=\"api\"} 1000@1.0 16000@5.0\n"
            + "{__name__=\"http_requests_total\", job=\"db\"} 1000@7.0\n"
            + "[api, db]",
        out.toString());
  }
}
