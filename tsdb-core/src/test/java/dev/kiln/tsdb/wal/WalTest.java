package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  @TempDir Path dir;

  /** Counts fsyncs. */
  static final class CountingIo extends FileIo {
    final AtomicInteger syncs = new AtomicInteger();

    @Override
    public void sync(FileChannel ch) throws IOException {
      syncs.incrementAndGet();
      super.sync(ch);
    }
  }

  /** Collects replayed records. */
  static final class Collector implements WalReplayHandler {
    final List<WalRecords.SeriesRecord> series = new ArrayList<>();
    final List<long[]> samples = new ArrayList<>();
    final List<WalRecords.Tombstone> stones = new ArrayList<>();

    @Override
    public void series(WalRecords.SeriesRecord s) {
      series.add(s);
    }

    @Override
    public void sample(long ref, long t, double v) {
      samples.add(new long[] {ref, t, Double.doubleToRawLongBits(v)});
    }

    @Override
    public void tombstone(WalRecords.Tombstone t) {
      stones.add(t);
    }
  }

  @Test
  void recordsOfAnySizeRoundTripAcrossPagesAndSegments() throws IOException {
    Random r = new Random(SEED);
    WalWriter w = new WalWriter(FileIo.DEFAULT, dir, 0, 64 * 1024);
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int len = switch (r.nextInt(4)) {
        case 0 -> r.nextInt(10);
        case 1 -> 32 * 1024 - 7 - r.nextInt(20);
        case 2 -> r.nextInt(100_000);
        default -> r.nextInt(2000);
      };
      byte[] rec = new byte[len];
      r.nextBytes(rec);
      written.add(rec);
      w.sync(w.log(rec));
    }
    w.close();
    List<WalSegments.Segment> segs = WalSegments.list(FileIo.DEFAULT, dir);
    assertTrue(segs.size() > 5, "segments: " + segs.size());
    List<byte[]> read = new ArrayList<>();
    for (WalSegments.Segment s : segs) {
      try (WalReader reader = new WalReader(FileIo.DEFAULT, s.path(), s.index())) {
        byte[] rec;
        while ((rec = reader.next()) != null) {
          read.add(rec);
        }
      }
    }
    assertEquals(written.size(), read.size(), "seed=" + SEED);
    for (int i = 0; i < written.size(); i++) {
      assertTrue(Arrays.equals(written.get(i), read.get(i)), "record " + i + " seed=" + SEED);
    }
  }

  @Test
  void groupCommitCoversEarlierWritesWithOneFsync() throws IOException {
    CountingIo io = new CountingIo();
    WalWriter w = new WalWriter(io, dir, 0, 1 << 20);
    long a = w.log(new byte[] {1});
    long b = w.log(new byte[] {2});
    int before = io.syncs.get();
    w.sync(b);
    w.sync(a);
    assertEquals(before + 1, io.syncs.get());
    w.close();
  }

  private static CommitLog.SeriesEntry series(long ref) {
    return new CommitLog.SeriesEntry(ref, Labels.of("__name__", "m", "i", "" + ref));
  }

  @Test
  void torn_tail_is_truncated_at_the_last_good_record_and_writing_continues() throws IOException {
    Wal wal = Wal.open(FileIo.DEFAULT, dir, 64 * 1024);
    wal.replay(new Collector());
    wal.startWriting();
    for (int i = 1; i <= 50; i++) {
      long tok = wal.write(List.of(series(i)), new long[] {i}, new long[] {i * 10L}, new double[] {i}, 1);
      wal.awaitDurable(tok);
    }
    wal.close();
    Path seg = WalSegments.list(FileIo.DEFAULT, dir).get(0).path();
    long size = Files.size(seg);
    // Tear the last record: cut 3 bytes off its end.
    FileIo.DEFAULT.truncate(seg, size - 3);

    Wal again = Wal.open(FileIo.DEFAULT, dir, 64 * 1024);
    Collector c = new Collector();
    Wal.ReplayStats stats = again.replay(c);
    assertNotNull(stats.repaired());
    assertEquals(50, c.series.size()); // the series record of commit 50 precedes its samples
    assertEquals(49, c.samples.size());
    again.startWriting();
    again.awaitDurable(again.write(List.of(), new long[] {1}, new long[] {999}, new double[] {7}, 1));
    again.close();

    Collector c2 = new Collector();
    Wal third = Wal.open(FileIo.DEFAULT, dir, 64 * 1024);
    assertNull(third.replay(c2).repaired());
    assertEquals(50, c2.samples.size());
    assertEquals(999, c2.samples.get(49)[1]);
    third.close();
  }

  @Test
  void corruptByteInTheMiddleDropsTheRestAndLaterSegments() throws IOException {
    Wal wal = Wal.open(FileIo.DEFAULT, dir, 64 * 1024);
    wal.replay(new Collector());
    wal.startWriting();
    double[] big = new double[3000];
    long[] refs = new long[3000];
    long[] ts = new long[3000];
    for (int batch = 0; batch < 20; batch++) {
      for (int i = 0; i < big.length; i++) {
        refs[i] = 1;
        ts[i] = batch * 10_000L + i;
        big[i] = i;
      }
      wal.awaitDurable(wal.write(batch == 0 ? List.of(series(1)) : List.of(), refs, ts, big, big.length));
    }
    wal.close();
    List<WalSegments.Segment> segs = WalSegments.list(FileIo.DEFAULT, dir);
    assertTrue(segs.size() >= 3, "segments " + segs.size());
    Path victim = segs.get(1).path();
    try (FileChannel ch = FileIo.DEFAULT.openForUpdate(victim)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xAB}), 40_000);
    }
    Wal again = Wal.open(FileIo.DEFAULT, dir, 64 * 1024);
    Collector c = new Collector();
    Wal.ReplayStats stats = again.replay(c);
    assertNotNull(stats.repaired());
    assertTrue(stats.repaired().contains("deleting " + (segs.size() - 2)), stats.repaired());
    assertEquals(0, c.samples.size() % 3000, "whole batches only");
    assertTrue(c.samples.size() > 0 && c.samples.size() < 60_000, "samples " + c.samples.size());
    assertEquals(2, WalSegments.list(FileIo.DEFAULT, dir).size());
    again.close();
  }

  @Test
  void checkpointKeepsLiveSeriesAndRecentSamplesOnly() throws IOException {
    CountingIo io = new CountingIo();
    Wal wal = Wal.open(io, dir, 64 * 1024);
    wal.replay(new Collector());
    wal.startWriting();
    for (int t = 0; t < 100; t++) {
      List<CommitLog.SeriesEntry> fresh = t == 0 ? List.of(series(1), series(2)) : List.of();
      wal.awaitDurable(wal.write(fresh, new long[] {1, 2}, new long[] {t, t}, new double[] {t, t}, 2));
    }
    wal.logTombstones(List.of(new WalRecords.Tombstone(1, 80, 90), new WalRecords.Tombstone(2, 0, 5)));
    int cp = wal.checkpoint(50, ref -> ref == 1);
    // Written after the checkpoint: kept as is.
    wal.awaitDurable(wal.write(List.of(series(3)), new long[] {3}, new long[] {5}, new double[] {1}, 1));
    wal.close();
    assertTrue(Files.isDirectory(dir.resolve(WalSegments.checkpointName(cp))));
    assertEquals(1, WalSegments.list(io, dir).size(), "checkpointed segments are deleted");

    Wal again = Wal.open(io, dir, 64 * 1024);
    Collector c = new Collector();
    again.replay(c);
    assertEquals(List.of(1L, 3L), c.series.stream().map(WalRecords.SeriesRecord::ref).toList());
    assertEquals(51, c.samples.size()); // series 1 at 50..99, then series 3
    assertEquals(50, c.samples.get(0)[1]);
    assertEquals(List.of(new WalRecords.Tombstone(1, 80, 90)), c.stones);
    again.close();
  }

  @Test
  void concurrentCommitsAreAllDurableAndShareFsyncs() throws Exception {
    CountingIo io = new CountingIo();
    Wal wal = Wal.open(io, dir, 1 << 20);
    wal.replay(new Collector());
    wal.startWriting();
    int threads = 4;
    int commits = 300;
    int syncsBefore = io.syncs.get();
    Object serial = new Object();
    List<Thread> ts = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      final long ref = th + 1;
      ts.add(new Thread(() -> {
        for (int i = 0; i < commits; i++) {
          long tok;
          synchronized (serial) {
            tok = wal.write(i == 0 ? List.of(series(ref)) : List.of(), new long[] {ref}, new long[] {i}, new double[] {i}, 1);
          }
          wal.awaitDurable(tok);
        }
      }));
    }
    ts.forEach(Thread::start);
    for (Thread t : ts) {
      t.join();
    }
    int syncs = io.syncs.get() - syncsBefore;
    assertTrue(syncs <= threads * commits, "fsyncs " + syncs);
    wal.close();
    Collector c = new Collector();
    Wal again = Wal.open(io, dir, 1 << 20);
    again.replay(c);
    assertEquals(threads * commits, c.samples.size());
    again.close();
  }

  @Test
  void withASyncIntervalCommitsAreWrittenWithoutFsyncAndTheTimerSyncCoversThem() throws IOException {
    CountingIo io = new CountingIo();
    // An interval far longer than the test: only syncWritten() (the timer's action) fsyncs.
    Wal wal = Wal.open(io, dir, 1 << 20, 3_600_000);
    wal.replay(new Collector());
    wal.startWriting();
    int syncsBefore = io.syncs.get();
    for (int i = 0; i < 10; i++) {
      wal.awaitDurable(wal.write(i == 0 ? List.of(series(1)) : List.of(), new long[] {1}, new long[] {i},
          new double[] {i * 0.5}, 1));
    }
    assertEquals(syncsBefore, io.syncs.get(), "no fsync per commit");
    // Every acknowledged commit is already in the segment file: a reader sees all of them.
    Collector seen = new Collector();
    try (Wal reader = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      reader.replay(seen);
    }
    assertEquals(10, seen.samples.size());
    assertEquals(4.5, Double.longBitsToDouble(seen.samples.get(9)[2]));

    wal.syncWritten();
    assertEquals(syncsBefore + 1, io.syncs.get());
    wal.syncWritten(); // nothing new written: no second fsync
    assertEquals(syncsBefore + 1, io.syncs.get());
    wal.close();
  }

  @Test
  void aNegativeSyncIntervalIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Wal.open(FileIo.DEFAULT, dir, 1 << 20, -1));
  }
}
