package dev.kiln.tsdb.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.block.Block;
import dev.kiln.tsdb.block.BlockWriter;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database with persistent blocks: head compaction, merged reads, levels, retention, deletion. */
class DbBlocksTest {
  @TempDir Path tmp;

  static final long H = 3_600_000L;
  static final long BASE = 1_700_000_000_000L - (1_700_000_000_000L % (2 * H));
  static final LabelMatcher ALL = LabelMatcher.regex("__name__", ".+");

  static DbOptions opts() {
    return DbOptions.builder().compactionIntervalMillis(0).build();
  }

  /** Appends 6 series every {@code step} ms in [from, to) to both stores. */
  static void fill(Appendable a, Appendable b, long from, long to, long step) {
    for (long t = from; t < to; t += step) {
      Appender x = a.appender();
      Appender y = b.appender();
      for (int s = 0; s < 6; s++) {
        Labels l = Labels.of("__name__", s < 3 ? "node_load1" : "up", "instance", "h" + (s % 3), "job", "node");
        double v = s < 3 ? (t % 1_000_003) / 1000.0 : 1;
        x.append(0, l, t + s, v);
        y.append(0, l, t + s, v);
      }
      x.commit();
      y.commit();
    }
  }

  static Appendable dropping(Appendable target, Predicate<Long> dropTime, String instance) {
    return () -> {
      Appender a = target.appender();
      return new Appender() {
        @Override
        public long append(long ref, Labels l, long t, double v, AppendOptions o) {
          return instance.equals(l.get("instance")) && dropTime.test(t) ? 0 : a.append(ref, l, t, v, o);
        }

        @Override
        public void commit(dev.kiln.tsdb.storage.Durability durability) {
          a.commit(durability);
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    };
  }

  @Test
  void headCompactionWritesBlocksAndReadsMergeBlocksAndHead() throws Exception {
    Path dir = tmp.resolve("db");
    InMemoryStorage oracle = new InMemoryStorage();
    long end = BASE + 7 * H;
    try (Db db = Db.open(dir, opts())) {
      fill(db, oracle, BASE, end, 30_000);
      assertTrue(db.compact() >= 2);
      assertTrue(db.head().minTime() >= BASE + 4 * H, "head truncated: " + db.head().minTime());
      for (Block b : db.blocks()) {
        assertEquals(1, b.meta().level());
        assertEquals(0, b.meta().minTime() % (2 * H), "aligned block start");
      }
      StorageAssertions.assertSameView(oracle, db, BASE, end, "compacted", ALL);
      StorageAssertions.assertSameView(oracle, db, BASE + 3 * H, BASE + 5 * H, "across block and head", ALL,
          LabelMatcher.equal("instance", "h1"));
    }
    try (Db db = Db.open(dir, opts())) {
      assertTrue(db.blocks().size() >= 2);
      StorageAssertions.assertSameView(oracle, db, BASE, end, "reopened", ALL);
    }
  }

  @Test
  void levelCompactionAndTimeRetention() throws Exception {
    Path dir = tmp.resolve("db");
    InMemoryStorage oracle = new InMemoryStorage();
    long end = BASE + 40 * H;
    try (Db db = Db.open(dir, opts())) {
      fill(db, oracle, BASE, end, 120_000);
      db.compact();
      assertTrue(metric(db, "prometheus_tsdb_compactions_total") > db.blocks().size());
      assertTrue(metric(db, "prometheus_tsdb_storage_blocks_bytes") > 0);
      int maxLevel = db.blocks().stream().mapToInt(b -> b.meta().level()).max().orElse(0);
      assertTrue(maxLevel >= 2, "blocks were compacted to higher levels: " + db.blocks());
      assertTrue(db.blocks().stream().anyMatch(b -> b.meta().maxTime() - b.meta().minTime() == 18 * H), db.blocks().toString());
      StorageAssertions.assertSameView(oracle, db, BASE, end, "level compacted", ALL);
      try (var s = Files.list(dir)) {
        assertEquals(db.blocks().size(), s.filter(p -> dev.kiln.tsdb.block.Ulid.isValid(p.getFileName().toString())).count(),
            "compacted parents are deleted");
      }
    }
    DbOptions shortRetention = DbOptions.builder().compactionIntervalMillis(0).retentionMillis(12 * H).build();
    try (Db db = Db.open(dir, shortRetention)) {
      db.compact();
      long newest = db.blocks().get(db.blocks().size() - 1).meta().maxTime();
      for (Block b : db.blocks()) {
        assertTrue(newest - b.meta().maxTime() <= 12 * H, "retained: " + b);
      }
      assertTrue(db.blocks().get(0).meta().minTime() > BASE, "oldest blocks deleted");
      assertEquals(1.0, metric(db, "prometheus_tsdb_time_retentions_total"));
      assertEquals(db.blocks().size(), metric(db, "prometheus_tsdb_blocks_loaded"));
      StorageAssertions.assertSameView(oracle, db, db.blocks().get(0).meta().minTime(), end, "after retention", ALL);
    }
  }

  @Test
  void sizeRetentionDeletesOldestBlocks() throws Exception {
    Path dir = tmp.resolve("db");
    try (Db db = Db.open(dir, opts())) {
      fill(db, new InMemoryStorage(), BASE, BASE + 12 * H, 30_000);
      db.compact();
    }
    long total = 0;
    long newest = 0;
    try (Db db = Db.open(dir, opts())) {
      for (Block b : db.blocks()) {
        total += b.sizeBytes();
      }
      newest = db.blocks().get(db.blocks().size() - 1).sizeBytes();
    }
    long walAndHead = DbBlocks.dirSize(FileIo.DEFAULT, dir.resolve("wal")) + DbBlocks.dirSize(FileIo.DEFAULT, dir.resolve("chunks_head"));
    DbOptions limited = DbOptions.builder().compactionIntervalMillis(0).retentionBytes(walAndHead + newest + 1).build();
    try (Db db = Db.open(dir, limited)) {
      db.compact();
      assertEquals(1, db.blocks().size(), "only the newest block fits: total was " + total);
    }
  }

  @Test
  void deleteCleanTombstonesAndSnapshot() throws Exception {
    Path dir = tmp.resolve("db");
    InMemoryStorage oracle = new InMemoryStorage();
    long lo = BASE + H;
    long hi = BASE + 6 * H;
    long end = BASE + 7 * H;
    try (Db db = Db.open(dir, opts())) {
      fill(db, dropping(oracle, t -> t >= lo && t <= hi, "h2"), BASE, end, 30_000);
      db.compact();
      assertTrue(db.deleteSeries(lo, hi, LabelMatcher.equal("instance", "h2")) >= 2);
      StorageAssertions.assertSameView(oracle, db, BASE, end, "deleted", ALL);
    }
    try (Db db = Db.open(dir, opts())) {
      StorageAssertions.assertSameView(oracle, db, BASE, end, "deleted, reopened (head tombstones from the WAL)", ALL);
      assertTrue(db.blocks().stream().anyMatch(b -> !b.tombstones().isEmpty()));
      db.cleanTombstones();
      assertTrue(db.blocks().stream().allMatch(b -> b.tombstones().isEmpty()), db.blocks().toString());
      StorageAssertions.assertSameView(oracle, db, BASE, end, "tombstones cleaned", ALL);
      Path snap = tmp.resolve("snap");
      db.snapshot(snap, true);
      try (Db copy = Db.open(snap, opts())) {
        StorageAssertions.assertSameView(oracle, copy, BASE, end, "snapshot with head", ALL);
      }
    }
  }

  @Test
  void selectionsOfOneQuerierInterleavedOrOnTwoThreadsReadAsEachAlone() throws Exception {
    Path dir = tmp.resolve("db");
    long lo = BASE + H;
    long hi = BASE + 6 * H;
    long end = BASE + 7 * H;
    try (Db db = Db.open(dir, opts())) {
      fill(db, new InMemoryStorage(), BASE, end, 30_000);
      db.compact();
      assertTrue(db.deleteSeries(lo, hi, LabelMatcher.equal("instance", "h2")) >= 2);
      LabelMatcher load = LabelMatcher.equal("__name__", "node_load1");
      LabelMatcher up = LabelMatcher.equal("__name__", "up");
      String loadAlone;
      String upAlone;
      try (var q = db.querier(BASE, end)) {
        loadAlone = read(q.select(false, null, load));
      }
      try (var q = db.querier(BASE, end)) {
        upAlone = read(q.select(false, null, up));
      }
      assertTrue(loadAlone.length() > 1000 && upAlone.length() > 1000, "both selections read samples");
      try (var q = db.querier(BASE, end)) {
        assertTrue(q.concurrentSelect(), "blocks, head and head tombstones allow concurrent selections");
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        var sa = q.select(false, null, load);
        var sb = q.select(false, null, up);
        boolean moreA = true;
        boolean moreB = true;
        while (moreA || moreB) {
          moreA = moreA && readOne(sa, a);
          moreB = moreB && readOne(sb, b);
        }
        assertEquals(loadAlone, a.toString(), "interleaved");
        assertEquals(upAlone, b.toString(), "interleaved");
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
          for (int round = 0; round < 20; round++) {
            var there = other.submit(() -> read(q.select(false, null, up)));
            assertEquals(loadAlone, read(q.select(false, null, load)), "on two threads, round " + round);
            assertEquals(upAlone, there.get(), "on two threads, round " + round);
          }
        } finally {
          other.shutdownNow();
        }
      }
    }
  }

  private static String read(dev.kiln.tsdb.storage.SeriesSet set) {
    StringBuilder sb = new StringBuilder();
    while (readOne(set, sb)) {
      // one series at a time
    }
    return sb.toString();
  }

  /** Appends the next series of {@code set} with its samples; false when there is none. */
  private static boolean readOne(dev.kiln.tsdb.storage.SeriesSet set, StringBuilder sb) {
    if (!set.next()) {
      return false;
    }
    sb.append(set.at().labels());
    var it = set.at().iterator(null);
    while (it.next() != dev.kiln.tsdb.storage.ValueType.NONE) {
      sb.append(' ').append(it.atT()).append('=').append(it.atV());
    }
    sb.append('\n');
    return true;
  }

  @Test
  void corruptBlockIsSkippedReportedAndKept() throws Exception {
    Path dir = tmp.resolve("db");
    InMemoryStorage oracle = new InMemoryStorage();
    try (Db db = Db.open(dir, opts())) {
      fill(db, oracle, BASE, BASE + 7 * H, 60_000);
      db.compact();
    }
    Path victim;
    try (Db db = Db.open(dir, opts())) {
      victim = db.blocks().get(0).dir();
    }
    byte[] index = Files.readAllBytes(victim.resolve("index"));
    index[index.length - 20] ^= 0x7f;
    Files.write(victim.resolve("index"), index);
    Files.createDirectories(dir.resolve("01ARYZ6S41TSV4RRFFQ69G5FAV" + BlockWriter.TMP_SUFFIX));
    try (Db db = Db.open(dir, opts())) {
      assertTrue(db.corruptedBlocks().containsKey(victim.getFileName().toString()), db.corruptedBlocks().toString());
      assertTrue(Files.exists(victim.resolve("index")), "left on disk");
      assertFalse(Files.exists(dir.resolve("01ARYZ6S41TSV4RRFFQ69G5FAV" + BlockWriter.TMP_SUFFIX)), "temporary block removed");
      long from = Block.readMeta(FileIo.DEFAULT, victim).maxTime();
      StorageAssertions.assertSameView(oracle, db, from, BASE + 7 * H, "other data readable", ALL);
    }
  }

  @Test
  void crashAfterBlockWriteBeforeHeadTruncationKeepsOneCopy() throws Exception {
    Path dir = tmp.resolve("db");
    InMemoryStorage oracle = new InMemoryStorage();
    long end = BASE + 5 * H;
    try (Db db = Db.open(dir, opts())) {
      fill(db, oracle, BASE, end, 30_000);
      // The block is in place but the head was neither truncated nor the WAL checkpointed.
      assertTrue(HeadBlockWriter.write(FileIo.DEFAULT, dir, db.head(), BASE, BASE + 2 * H) != null);
    }
    try (Db db = Db.open(dir, opts())) {
      assertEquals(1, db.blocks().size());
      assertTrue(db.head().minTime() >= BASE + 2 * H, "replayed samples already in the block dropped");
      StorageAssertions.assertSameView(oracle, db, BASE, end, "after crash", ALL);
    }
  }

  @Test
  void openQuerierKeepsReadingBlocksThatCompactionAndRetentionRemove() throws Exception {
    Path dir = tmp.resolve("db");
    InMemoryStorage oracle = new InMemoryStorage();
    long end = BASE + 12 * H;
    try (Db db = Db.open(dir, opts())) {
      fill(db, oracle, BASE, end, 60_000);
      db.compact();
    }
    String expected = StorageAssertions.dump(oracle, BASE, end, ALL);
    DbOptions tiny = DbOptions.builder().compactionIntervalMillis(0).retentionMillis(H).build();
    try (Db db = Db.open(dir, tiny)) {
      int before = db.blocks().size();
      try (dev.kiln.tsdb.storage.Querier q = db.querier(BASE, end)) {
        dev.kiln.tsdb.storage.SeriesSet set = q.select(true, null, ALL);
        db.compact(); // retention removes all but the newest block while the querier is open
        assertTrue(db.blocks().size() < before, db.blocks().toString());
        StringBuilder got = new StringBuilder();
        java.util.List<String> lines = new java.util.ArrayList<>();
        while (set.next()) {
          StringBuilder sb = new StringBuilder(set.at().labels().toString()).append(':');
          dev.kiln.tsdb.storage.SampleIterator it = set.at().iterator(null);
          while (it.next() == dev.kiln.tsdb.storage.ValueType.FLOAT) {
            sb.append(' ').append(it.atT()).append('=').append(Long.toHexString(Double.doubleToRawLongBits(it.atV())));
          }
          lines.add(sb.toString());
        }
        lines.sort(null);
        got.append(String.join("\n", lines));
        assertEquals(expected, got.toString(), "the open querier still sees the removed blocks");
      }
      try (var s = Files.list(dir)) {
        assertEquals(db.blocks().size(), s.filter(p -> dev.kiln.tsdb.block.Ulid.isValid(p.getFileName().toString())).count());
      }
    }
  }

  private static double metric(Db db, String name) {
    return db.metrics().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().value();
  }
}
