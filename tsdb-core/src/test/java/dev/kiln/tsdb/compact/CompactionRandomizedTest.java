package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random overlapping blocks, deletions, merged reads, compaction and tombstone cleaning,
 * all checked against a sorted-map oracle. The seed is printed in every failure message.
 */
class CompactionRandomizedTest {
  @TempDir Path tmp;

  static final long H = 3_600_000L;
  static final long BASE = 1_700_000_000_000L - (1_700_000_000_000L % (18 * H));
  static final LabelMatcher ALL = LabelMatcher.regex("__name__", ".+");

  private static Labels series(int i) {
    return Labels.of("__name__", "m" + (i % 3), "i", Integer.toString(i), "zone", i % 2 == 0 ? "a" : "b");
  }

  /** Same series and time always give the same value, so overlapping copies agree. */
  private static double value(int s, long t) {
    return (t / 1000 % 9973) * 0.5 + s;
  }

  @Test
  void randomOverlapsDeletionsAndCompactionMatchTheOracle() throws Exception {
    for (int round = 0; round < 3; round++) {
      long seed = System.nanoTime() + round;
      run(seed, tmp.resolve("r" + round));
    }
  }

  private void run(long seed, Path dir) throws Exception {
    Random r = new Random(seed);
    String msg = "seed " + seed;
    Files.createDirectories(dir);
    Map<Labels, TreeMap<Long, Double>> oracle = new TreeMap<>();
    int blocks = 3 + r.nextInt(4);
    for (int b = 0; b < blocks; b++) {
      long from = BASE + r.nextInt(20) * (H / 2);
      long to = from + (1 + r.nextInt(4)) * (H / 2);
      Head head = Head.inMemory();
      Appender a = head.appender();
      int n = 0;
      for (int s = 0; s < 12; s++) {
        if (r.nextInt(3) == 0) {
          continue;
        }
        long step = 30_000 + r.nextInt(4) * 15_000;
        for (long t = from + r.nextInt(30_000); t < to; t += step) {
          a.append(0, series(s), t, value(s, t));
          oracle.computeIfAbsent(series(s), k -> new TreeMap<>()).put(t, value(s, t));
          n++;
        }
      }
      a.commit();
      if (n > 0) {
        HeadBlockWriter.write(FileIo.DEFAULT, dir, head, from, to);
      }
    }
    try (Db db = Db.open(dir, DbOptions.builder().compactionIntervalMillis(0).build())) {
      StorageAssertions.assertSameView(store(oracle), db, BASE, BASE + 40 * H, msg + " overlapping blocks", ALL);
      for (int d = 0; d < 3; d++) {
        long lo = BASE + r.nextInt(24) * (H / 4);
        long hi = lo + r.nextInt(8) * (H / 4);
        LabelMatcher m = r.nextBoolean() ? LabelMatcher.equal("zone", "a") : LabelMatcher.regex("i", "1.*|3");
        db.deleteSeries(lo, hi, m);
        for (Map.Entry<Labels, TreeMap<Long, Double>> e : oracle.entrySet()) {
          if (m.matches(e.getKey())) {
            e.getValue().subMap(lo, true, hi, true).clear();
          }
        }
      }
      oracle.values().removeIf(TreeMap::isEmpty);
      InMemoryStorage expected = store(oracle);
      StorageAssertions.assertSameView(expected, db, BASE, BASE + 40 * H, msg + " after deletions", ALL);
      long mid = BASE + r.nextInt(30) * (H / 2);
      StorageAssertions.assertSameView(expected, db, mid, mid + H, msg + " sub-range", ALL, LabelMatcher.notEqual("zone", "b"));
      db.compact();
      StorageAssertions.assertSameView(expected, db, BASE, BASE + 40 * H, msg + " compacted " + db.blocks(), ALL);
      db.cleanTombstones();
      StorageAssertions.assertSameView(expected, db, BASE, BASE + 40 * H, msg + " cleaned", ALL);
    }
  }

  private static InMemoryStorage store(Map<Labels, TreeMap<Long, Double>> oracle) {
    InMemoryStorage s = new InMemoryStorage();
    Appender a = s.appender();
    oracle.forEach((l, samples) -> samples.forEach((t, v) -> a.append(0, l, t, v)));
    a.commit();
    return s;
  }
}
