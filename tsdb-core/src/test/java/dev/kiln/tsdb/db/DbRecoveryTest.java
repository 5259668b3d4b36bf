package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts (clean and crashed) restore exactly the committed data. */
class DbRecoveryTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  @TempDir Path tmp;

  private static final LabelMatcher ALL = LabelMatcher.regex("__name__", ".+");

  /** Copies the directory as a crashed process leaves it (the lock file aside). */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("lock")) {
          Files.copy(p, target);
        }
      }
    }
  }

  @Test
  void crashCopiesAndCleanRestartsMatchTheOracle() throws IOException {
    Random r = new Random(SEED);
    DbOptions opts = DbOptions.builder().walSegmentBytes(64 * 1024).chunkRangeMillis(100_000).build();
    Path dir = tmp.resolve("db");
    Db db = Db.open(dir, opts);
    InMemoryStorage oracle = new InMemoryStorage();
    long clock = 0;
    for (int round = 0; round < 6; round++) {
      for (int batch = 0; batch < 100; batch++) {
        Appender a = db.appender();
        Appender o = oracle.appender();
        for (int i = 0; i < 1 + r.nextInt(30); i++) {
          Labels l = Labels.of("__name__", "m" + r.nextInt(5), "i", "" + r.nextInt(20));
          clock += r.nextInt(50);
          final long t = clock;
          double v = r.nextInt(10) == 0 ? Double.NaN : r.nextGaussian();
          try {
            a.append(0, l, t, v);
            o.append(0, l, t, v);
          } catch (AppendException e) {
            // Duplicate timestamps with another value: both reject.
            assertThrows(AppendException.class, () -> o.append(0, l, t, v));
          }
        }
        if (r.nextInt(8) == 0) {
          a.rollback();
          o.rollback();
        } else {
          a.commit();
          o.commit();
        }
      }
      String msg = "seed=" + SEED + " round=" + round;
      Path crashed = tmp.resolve("crash" + round);
      copyTree(dir, crashed);
      try (Db copy = Db.open(crashed, opts)) {
        StorageAssertions.assertSameView(oracle, copy, Long.MIN_VALUE, Long.MAX_VALUE, msg, ALL);
      }
      if (round % 2 == 1) {
        db.close();
        db = Db.open(dir, opts);
        StorageAssertions.assertSameView(oracle, db, Long.MIN_VALUE, Long.MAX_VALUE, msg, ALL);
      }
    }
    // A truncation checkpoints the log; what remains after restart is the data from mint on.
    long mint = clock / 2;
    db.head().truncate(mint);
    assertTrue(Files.list(dir.resolve("wal")).anyMatch(p -> p.getFileName().toString().startsWith("checkpoint.")));
    db.close();
    try (Db again = Db.open(dir, opts)) {
      long from = mint + 100_000; // chunks straddling mint keep some older samples
      StorageAssertions.assertSameView(oracle, again, from, Long.MAX_VALUE, "seed=" + SEED, ALL);
      assertTrue(again.walReplayStatus().done());
    }
  }

  @Test
  void secondOpenOfTheSameDirectoryIsRefused() {
    Path dir = tmp.resolve("locked");
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      StorageException e = assertThrows(StorageException.class, () -> Db.open(dir, DbOptions.defaults()));
      assertTrue(e.getMessage().contains("locked"), e.getMessage());
    }
    Db.open(dir, DbOptions.defaults()).close();
  }

  @Test
  void seriesRefsSurviveRestartAndNewSeriesGetFreshRefs() {
    Path dir = tmp.resolve("refs");
    long ref;
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      Appender a = db.appender();
      ref = a.append(0, Labels.of("__name__", "x"), 1, 1);
      a.commit();
    }
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      Appender a = db.appender();
      assertEquals(ref, a.append(ref, null, 2, 2));
      long other = a.append(0, Labels.of("__name__", "y"), 2, 2);
      assertTrue(other > ref);
      a.commit();
    }
  }

  private static double appendedCounter(Db db) {
    return db.metrics().stream()
        .filter(m -> m.name().equals("prometheus_tsdb_head_samples_appended_total"))
        .findFirst().orElseThrow().value();
  }

  /** Restart reuses the completed chunks in the head chunk files instead of re-encoding them. */
  @Test
  void restartReusesHeadChunkFilesAndSurvivesATornOne() throws IOException {
    Path dir = tmp.resolve("chunks");
    DbOptions opts = DbOptions.builder().headChunkFileBytes(2048).build();
    InMemoryStorage oracle = new InMemoryStorage();
    try (Db db = Db.open(dir, opts)) {
      for (int i = 0; i < 600; i++) {
        Appender a = db.appender();
        Appender o = oracle.appender();
        for (int k = 0; k < 3; k++) {
          Labels l = Labels.of("__name__", "m", "k", "" + k);
          a.append(0, l, i * 15_000L, i * 1.5 + k);
          o.append(0, l, i * 15_000L, i * 1.5 + k);
        }
        a.commit();
        o.commit();
      }
    }
    try (Db db = Db.open(dir, opts)) {
      StorageAssertions.assertSameView(oracle, db, Long.MIN_VALUE, Long.MAX_VALUE, "reopen", ALL);
      assertTrue(appendedCounter(db) < 600, "replay re-appended " + appendedCounter(db) + " of 1800 samples");
    }
    // Damage the middle of the newest chunk file: everything from there on comes from the WAL.
    Path newest;
    try (Stream<Path> s = Files.list(dir.resolve("chunks_head"))) {
      newest = s.max(Comparator.naturalOrder()).orElseThrow();
    }
    try (var ch = java.nio.channels.FileChannel.open(newest, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x7f, 0x7f}), 300);
    }
    try (Db db = Db.open(dir, opts)) {
      StorageAssertions.assertSameView(oracle, db, Long.MIN_VALUE, Long.MAX_VALUE, "after tear", ALL);
    }
  }
}
