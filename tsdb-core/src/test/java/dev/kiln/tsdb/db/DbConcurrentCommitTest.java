package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.wal.Wal;
import dev.kiln.tsdb.wal.WalRecords;
import dev.kiln.tsdb.wal.WalReplayHandler;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many appenders commit at once into series they share and series they create concurrently, so
 * commits are grouped in the write-ahead log: after a restart the replayed head holds exactly what
 * the live head held for series with one writer, every series is back, and in the log a series'
 * record always precedes its samples, whichever appender's commit wrote it.
 */
class DbConcurrentCommitTest {
  @TempDir Path dir;

  @Test
  void replayAfterConcurrentGroupedCommitsEqualsTheLiveHead() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    DbOptions opts = DbOptions.builder().walSegmentBytes(64 * 1024).build();
    Db db = Db.open(dir.resolve("db"), opts);
    int threads = 6;
    int commits = 120;
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Thread> ts = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      int id = th;
      ts.add(new Thread(() -> {
        Random r = new Random(seed + id);
        try {
          for (int c = 0; c < commits; c++) {
            Appender app = db.appender();
            int n = 1 + r.nextInt(60);
            for (int i = 0; i < n; i++) {
              // Shared series (created by whichever appender comes first) and fresh ones.
              String series = r.nextBoolean() ? "shared-" + r.nextInt(40) : "own-" + id + "-" + c + "-" + i;
              long t = 1_000_000L + c * 1000L + r.nextInt(1000);
              try {
                app.append(0, Labels.of("__name__", "m", "s", series), t, r.nextDouble());
              } catch (AppendException e) {
                // Another appender committed a newer sample of a shared series: rejected, as in Prometheus.
              }
            }
            app.commit();
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    ts.forEach(Thread::start);
    for (Thread t : ts) {
      t.join();
    }
    assertTrue(errors.isEmpty(), "seed=" + seed + ": " + errors);
    LabelMatcher m = LabelMatcher.equal("__name__", "m");
    LabelMatcher own = LabelMatcher.regex("s", "own-.*");
    String liveOwn = StorageAssertions.dump(db, Long.MIN_VALUE, Long.MAX_VALUE, m, own);
    String liveSeries = seriesOnly(StorageAssertions.dump(db, Long.MIN_VALUE, Long.MAX_VALUE, m));
    long groups = db.wal().commitGroups();
    db.close();
    assertTrue(groups > 0 && groups <= (long) threads * commits, "groups " + groups);

    // In the log, every sample's series record comes before it.
    Set<Long> logged = new HashSet<>();
    long[] orphans = new long[1];
    try (Wal wal = Wal.open(FileIo.DEFAULT, dir.resolve("db").resolve("wal"), opts.walSegmentBytes())) {
      wal.replay(new WalReplayHandler() {
        @Override
        public void series(WalRecords.SeriesRecord s) {
          logged.add(s.ref());
        }

        @Override
        public void sample(long ref, long t, double v) {
          if (!logged.contains(ref)) {
            orphans[0]++;
          }
        }

        @Override
        public void tombstone(WalRecords.Tombstone t) {}
      });
    }
    assertEquals(0, orphans[0], "samples logged before their series, seed=" + seed);

    // Series written by one appender replay exactly; shared ones may differ only in which of
    // two racing samples won (the log's order, not the order the commits were applied in).
    try (Db again = Db.open(dir.resolve("db"), opts)) {
      assertEquals(liveOwn, StorageAssertions.dump(again, Long.MIN_VALUE, Long.MAX_VALUE, m, own), "seed=" + seed);
      assertEquals(liveSeries, seriesOnly(StorageAssertions.dump(again, Long.MIN_VALUE, Long.MAX_VALUE, m)), "seed=" + seed);
    }
  }

  private static String seriesOnly(String dump) {
    StringBuilder sb = new StringBuilder();
    for (String line : dump.split("\n")) {
      sb.append(line, 0, line.indexOf("}:") + 1).append('\n');
    }
    return sb.toString();
  }
}
