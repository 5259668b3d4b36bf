package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a WAL sync interval of 0: commits written as {@link Durability#WRITTEN} issue no fsync of
 * their own, the background sync fsyncs them, and {@link Durability#SYNCED} commits are fsynced
 * before they return. Fsyncs are counted per thread, so the background sync (thread {@code
 * kiln-wal-sync}) firing during a test cannot be mistaken for a commit's own.
 */
class WalCommitDurabilityTest {
  @TempDir Path dir;

  /** Counts segment fsyncs by the name of the thread that issued them. */
  static final class PerThreadSyncs extends FileIo {
    final Map<String, AtomicInteger> byThread = new ConcurrentHashMap<>();
    final CountDownLatch background = new CountDownLatch(1);

    @Override
    public void sync(FileChannel ch) throws IOException {
      super.sync(ch);
      String name = Thread.currentThread().getName();
      byThread.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      if (name.equals("kiln-wal-sync")) {
        background.countDown();
      }
    }

    int of(Thread t) {
      AtomicInteger n = byThread.get(t.getName());
      return n == null ? 0 : n.get();
    }
  }

  private static Wal started(FileIo io, Path dir) {
    Wal wal = Wal.open(io, dir, 1 << 20, 0);
    wal.replay(new WalTest.Collector());
    wal.startWriting();
    return wal;
  }

  private static long commit(Wal wal, long ref, long t, Durability d) {
    List<CommitLog.SeriesEntry> series = t == 0
        ? List.of(new CommitLog.SeriesEntry(ref, Labels.of("__name__", "m", "i", "" + ref))) : List.of();
    long token = wal.write(series, new long[] {ref}, new long[] {t}, new double[] {t}, 1, d);
    wal.awaitDurable(token);
    return token;
  }

  @Test
  void writtenCommitsIssueNoFsyncOfTheirOwnAndSyncedOnesDo() {
    PerThreadSyncs io = new PerThreadSyncs();
    Wal wal = started(io, dir);
    Thread me = Thread.currentThread();
    for (int i = 0; i < 20; i++) {
      commit(wal, 1, i, Durability.WRITTEN);
    }
    assertEquals(0, io.of(me), "written commits fsynced on the committing thread");
    commit(wal, 1, 20, Durability.SYNCED);
    assertEquals(1, io.of(me), "a synced commit is fsynced before it returns");
    // That fsync covered every written commit before it: nothing is left for a sync to do.
    wal.syncWritten();
    assertEquals(1, io.of(me));
    commit(wal, 1, 21, Durability.SYNCED);
    assertEquals(2, io.of(me));
    wal.close();
  }

  @Test
  void aGroupIsFsyncedWhenOneOfItsCommitsAsksForIt() {
    PerThreadSyncs io = new PerThreadSyncs();
    Wal wal = started(io, dir);
    Thread me = Thread.currentThread();
    commit(wal, 1, 0, Durability.WRITTEN);
    long groups = wal.commitGroups();
    // Both queued before either is awaited: the leader takes them as one group.
    wal.write(List.of(), new long[] {1}, new long[] {1}, new double[] {1}, 1, Durability.WRITTEN);
    long last = wal.write(List.of(), new long[] {1}, new long[] {2}, new double[] {2}, 1, Durability.WRITTEN);
    wal.awaitDurable(last);
    assertEquals(groups + 1, wal.commitGroups());
    assertEquals(0, io.of(me), "a group of written commits was fsynced");
    wal.write(List.of(), new long[] {1}, new long[] {3}, new double[] {3}, 1, Durability.WRITTEN);
    last = wal.write(List.of(), new long[] {1}, new long[] {4}, new double[] {4}, 1, Durability.SYNCED);
    wal.awaitDurable(last);
    assertEquals(groups + 2, wal.commitGroups());
    assertEquals(1, io.of(me), "a group holding a synced commit was not fsynced");
    wal.close();
  }

  @Test
  void theBackgroundSyncFsyncsWhatWrittenCommitsLeft() throws InterruptedException {
    assertTrue(Wal.WRITTEN_SYNC_MILLIS <= 1_000, "written commits are fsynced within about a second");
    PerThreadSyncs io = new PerThreadSyncs();
    Wal wal = started(io, dir);
    commit(wal, 1, 0, Durability.WRITTEN);
    assertEquals(0, io.of(Thread.currentThread()));
    assertTrue(io.background.await(60, TimeUnit.SECONDS), "no background fsync of the written commit");
    wal.close();
  }

  @Test
  void nothingWrittenMeansNoBackgroundFsync() {
    PerThreadSyncs io = new PerThreadSyncs();
    Wal wal = started(io, dir);
    commit(wal, 1, 0, Durability.SYNCED);
    int before = io.of(Thread.currentThread());
    wal.syncWritten(); // what the background sync does: the synced commit left nothing to fsync
    assertEquals(before, io.of(Thread.currentThread()));
    wal.close();
  }

  @Test
  void writtenCommitsSurviveAReopenWithoutClose() {
    Wal wal = started(FileIo.DEFAULT, dir);
    for (int i = 0; i < 100; i++) {
      commit(wal, 1, i, Durability.WRITTEN);
    }
    // No close and no fsync: a killed process leaves exactly this behind (the page cache holds it).
    WalTest.Collector c = new WalTest.Collector();
    Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20, 0);
    Wal.ReplayStats stats = again.replay(c);
    assertEquals(100, c.samples.size());
    assertEquals(1, c.series.size());
    assertEquals(null, stats.repaired());
    for (int i = 0; i < 100; i++) {
      assertEquals(i, c.samples.get(i)[1]);
    }
    wal.close();
  }
}
