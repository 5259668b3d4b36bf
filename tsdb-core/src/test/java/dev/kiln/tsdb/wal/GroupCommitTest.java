package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of the write-ahead log under concurrent committers: every acknowledged commit is
 * in the fsynced part of its segment when its {@code awaitDurable} returns, contended commits
 * share fsyncs (forced deterministically by an fsync that waits until the other committers have
 * queued), and a failed write or fsync fails every commit of its group and every later one.
 */
class GroupCommitTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  @TempDir Path dir;

  /**
   * Counts fsyncs and writes; remembers, per segment, how many bytes the fsyncs covered (the
   * file size when an fsync started: the next group may be written while it runs);
   * can hold an fsync or a write until a condition holds, and fail the next write or fsync.
   */
  static final class RecordingIo extends FileIo {
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final Map<FileChannel, Path> paths = new ConcurrentHashMap<>();
    final Map<Path, Long> durable = new ConcurrentHashMap<>();
    final AtomicBoolean failNextSync = new AtomicBoolean();
    final AtomicBoolean failNextWrite = new AtomicBoolean();
    volatile BooleanSupplier holdSyncUntil;
    volatile BooleanSupplier holdWriteUntil;
    /** The log's once-a-second background sync ({@code kiln-wal-sync}) neither takes nor waits for a hold. */
    volatile boolean holdIgnoresBackgroundSync;

    @Override
    public FileChannel openForAppend(Path file) throws IOException {
      FileChannel ch = super.openForAppend(file);
      paths.put(ch, file);
      return ch;
    }

    @Override
    public void write(FileChannel ch, ByteBuffer buf) throws IOException {
      if (failNextWrite.compareAndSet(true, false)) {
        throw new IOException("injected write failure");
      }
      BooleanSupplier hold = holdWriteUntil;
      if (hold != null) {
        holdWriteUntil = null;
        waitFor(hold);
      }
      writes.incrementAndGet();
      super.write(ch, buf);
    }

    @Override
    public void sync(FileChannel ch) throws IOException {
      BooleanSupplier hold = holdSyncUntil;
      if (hold != null && holdIgnoresBackgroundSync && Thread.currentThread().getName().equals("kiln-wal-sync")) {
        hold = null;
      }
      if (hold != null) {
        holdSyncUntil = null;
        waitFor(hold);
      }
      if (failNextSync.compareAndSet(true, false)) {
        throw new IOException("injected fsync failure");
      }
      syncs.incrementAndGet();
      // An fsync covers what was written before it started; a group written meanwhile may not be.
      long covered = ch.position();
      super.sync(ch);
      Path p = paths.get(ch);
      if (p != null) {
        durable.merge(p, covered, Math::max);
      }
    }
  }

  /** Waits for a condition other threads make true; fails rather than hanging forever. */
  static void waitFor(BooleanSupplier condition) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition never became true");
      }
      LockSupport.parkNanos(200_000);
    }
  }

  private static CommitLog.SeriesEntry series(long ref) {
    return new CommitLog.SeriesEntry(ref, Labels.of("__name__", "m", "i", Long.toString(ref)));
  }

  private Wal started(FileIo io, long segmentBytes) {
    Wal wal = Wal.open(io, dir, segmentBytes);
    wal.replay(new WalTest.Collector());
    wal.startWriting();
    return wal;
  }

  private static void runAll(List<Runnable> bodies) throws InterruptedException {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (Runnable b : bodies) {
      Thread t = new Thread(() -> {
        try {
          b.run();
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("a committer failed, seed=" + SEED, errors.get(0));
      throw e;
    }
  }

  @Test
  void contendedCommitsShareOneFsyncAndOneWrite() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    int threads = 8;
    int syncsBefore = io.syncs.get();
    int writesBefore = io.writes.get();
    GroupCommit gc = wal.groupCommit();
    long base = gc.lastEnqueued();
    // The first group's write waits until every committer has queued: the rest form one group.
    io.holdWriteUntil = () -> gc.lastEnqueued() == base + threads;
    List<Runnable> bodies = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      long ref = th + 1;
      bodies.add(() -> wal.awaitDurable(
          wal.write(List.of(series(ref)), new long[] {ref}, new long[] {ref * 10}, new double[] {ref}, 1)));
    }
    runAll(bodies);
    int syncs = io.syncs.get() - syncsBefore;
    int writes = io.writes.get() - writesBefore;
    assertEquals(2, writes, "one write per group");
    assertTrue(syncs >= 1 && syncs <= writes, "fsyncs " + syncs + " for " + writes + " groups");
    wal.close();
    WalTest.Collector c = new WalTest.Collector();
    try (Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      again.replay(c);
    }
    assertEquals(threads, c.series.size());
    assertEquals(threads, c.samples.size());
  }

  @Test
  void theNextGroupIsWrittenWhileThePreviousGroupIsFsynced() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    int writesBefore = io.writes.get();
    // The first group's fsync returns only once the second group was written beside it.
    io.holdSyncUntil = () -> io.writes.get() >= writesBefore + 2;
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Thread first = new Thread(() -> {
      try {
        wal.awaitDurable(wal.write(List.of(series(1)), new long[] {1}, new long[] {10}, new double[] {1}, 1));
      } catch (Throwable e) {
        errors.add(e);
      }
    });
    first.start();
    waitFor(() -> io.writes.get() >= writesBefore + 1);
    wal.awaitDurable(wal.write(List.of(series(2)), new long[] {2}, new long[] {20}, new double[] {2}, 1));
    first.join();
    assertTrue(errors.isEmpty(), errors.toString());
    assertEquals(writesBefore + 2, io.writes.get(), "one write per group");
    wal.close();
    WalTest.Collector c = new WalTest.Collector();
    try (Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      again.replay(c);
    }
    assertEquals(2, c.samples.size());
  }

  /** A commit of one opaque record, for driving {@link GroupCommit} directly. */
  private record OneRecord(boolean awaitsSync) implements GroupCommit.Entry {
    @Override
    public void appendTo(WalWriter w, RecordBuffer scratch) {
      byte[] r = WalRecords.encodeTombstones(List.of());
      w.append(r, 0, r.length);
    }

    @Override
    public int samples() {
      return 1;
    }
  }

  @Test
  void aWrittenOnlyGroupIsReleasedDuringAnEarlierGroupsFsyncWithoutReleasingIt() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    GroupCommit gc = wal.groupCommit();
    AtomicBoolean writtenReleased = new AtomicBoolean();
    // The first group's fsync is held until the written-only commit behind it has returned.
    io.holdIgnoresBackgroundSync = true;
    io.holdSyncUntil = writtenReleased::get;
    long leader = gc.enqueue(new OneRecord(true));
    long follower = gc.enqueue(new OneRecord(true));
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicBoolean followerDone = new AtomicBoolean();
    Thread first = new Thread(() -> {
      try {
        gc.await(leader); // leads the group of both commits and blocks in its fsync
      } catch (Throwable e) {
        errors.add(e);
      }
    });
    first.start();
    waitFor(() -> gc.queued() == 0);
    // Written while the first group is fsynced, and released without an fsync of its own.
    gc.await(gc.enqueue(new OneRecord(false)));
    Thread second = new Thread(() -> {
      try {
        gc.await(follower);
        followerDone.set(true);
      } catch (Throwable e) {
        errors.add(e);
      }
    });
    second.start();
    // Give a wrongly released follower time to show itself: it must wait for its group's fsync.
    long until = System.nanoTime() + 300_000_000L;
    while (!followerDone.get() && System.nanoTime() < until) {
      LockSupport.parkNanos(1_000_000);
    }
    assertTrue(!followerDone.get(), "a commit was released before the fsync it asked for");
    writtenReleased.set(true);
    first.join();
    second.join();
    assertTrue(errors.isEmpty(), errors.toString());
    assertTrue(followerDone.get());
    wal.close();
  }

  @Test
  void everyAcknowledgedCommitIsInTheFsyncedPartOfTheLog() throws Exception {
    RecordingIo io = new RecordingIo();
    long segmentBytes = 128 * 1024;
    Wal wal = started(io, segmentBytes);
    int threads = 8;
    int commits = 150;
    // At each acknowledgement: how much of each segment the fsyncs had covered.
    Map<Long, Map<Path, Long>> durableAtAck = new ConcurrentHashMap<>();
    int syncsBefore = io.syncs.get();
    List<Runnable> bodies = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      int thread = th;
      bodies.add(() -> {
        Random r = new Random(SEED + thread);
        for (int i = 0; i < commits; i++) {
          int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 3000 : 40);
          long[] refs = new long[n];
          long[] ts = new long[n];
          double[] vs = new double[n];
          long ref = thread + 1;
          for (int j = 0; j < n; j++) {
            refs[j] = ref;
            ts[j] = i * 10_000L + j;
            vs[j] = r.nextDouble();
          }
          wal.awaitDurable(wal.write(i == 0 ? List.of(series(ref)) : List.of(), refs, ts, vs, n));
          durableAtAck.put(ref * 1_000_000 + i, new HashMap<>(io.durable));
        }
      });
    }
    runAll(bodies);
    int syncs = io.syncs.get() - syncsBefore;
    assertTrue(syncs <= threads * commits, "fsyncs " + syncs);
    wal.close();

    // Where each commit's samples record ends, by (ref, commit index).
    Map<Long, long[]> ends = new HashMap<>();
    Map<Long, Path> segmentOf = new HashMap<>();
    for (WalSegments.Segment s : WalSegments.list(FileIo.DEFAULT, dir)) {
      try (WalReader reader = new WalReader(FileIo.DEFAULT, s.path(), s.index())) {
        byte[] rec;
        while ((rec = reader.next()) != null) {
          if (WalRecords.type(rec) != WalRecords.SAMPLES) {
            continue;
          }
          long end = reader.position();
          WalRecords.decodeSamples(rec, (ref, t, v) -> {
            long key = ref * 1_000_000 + t / 10_000;
            ends.merge(key, new long[] {end, 1}, (a, b) -> new long[] {a[0], a[1] + 1});
            segmentOf.put(key, s.path());
          });
        }
      }
    }
    assertEquals(threads * commits, durableAtAck.size());
    for (Map.Entry<Long, Map<Path, Long>> e : durableAtAck.entrySet()) {
      long[] end = ends.get(e.getKey());
      assertTrue(end != null, "commit " + e.getKey() + " missing from the log, seed=" + SEED);
      Path seg = segmentOf.get(e.getKey());
      Long covered = e.getValue().get(seg);
      assertTrue(covered != null && covered >= end[0],
          "commit " + e.getKey() + " acknowledged before its fsync: record ends at " + end[0]
              + ", fsynced " + covered + " of " + seg.getFileName() + ", seed=" + SEED);
    }
  }

  /**
   * Commits {@code 1..threads}: commit 1 is written alone by a leader whose write waits until
   * commits 2..threads are queued behind it (they form the next group, written while commit 1's
   * group is fsynced). Returns each commit's
   * outcome: null when acknowledged, else the error message.
   */
  private static Map<Long, String> commitBehindAHeldWrite(Wal wal, RecordingIo io, int threads, Runnable whenAllQueued)
      throws Exception {
    GroupCommit gc = wal.groupCommit();
    long base = gc.lastEnqueued();
    AtomicBoolean entered = new AtomicBoolean();
    io.holdWriteUntil = () -> {
      entered.set(true);
      if (gc.lastEnqueued() == base + threads) {
        whenAllQueued.run();
        return true;
      }
      return false;
    };
    Map<Long, String> outcome = new ConcurrentHashMap<>();
    List<Runnable> bodies = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      long ref = th + 1;
      bodies.add(() -> {
        try {
          wal.awaitDurable(wal.write(List.of(series(ref)), new long[] {ref}, new long[] {5}, new double[] {ref}, 1));
          outcome.put(ref, "");
        } catch (StorageException e) {
          outcome.put(ref, e.getMessage());
        }
      });
    }
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Thread first = new Thread(() -> {
      try {
        bodies.get(0).run();
      } catch (Throwable e) {
        errors.add(e);
      }
    });
    first.start();
    waitFor(entered::get); // commit 1's group is taken and its write has begun
    runAll(bodies.subList(1, threads));
    first.join();
    assertTrue(errors.isEmpty(), errors.toString());
    return outcome;
  }

  @Test
  void aFailedFsyncFailsItsGroupAndEveryLaterCommit() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    wal.awaitDurable(wal.write(List.of(series(100)), new long[] {100}, new long[] {1}, new double[] {1}, 1));
    int threads = 6;
    io.failNextSync.set(true);
    Map<Long, String> outcome = commitBehindAHeldWrite(wal, io, threads, () -> {});
    assertEquals(threads, outcome.size());
    // Both groups were written before the failed fsync, which either group's leader may have run:
    // each commit reports that fsync or the failure before it, and none is acknowledged.
    for (long ref = 1; ref <= threads; ref++) {
      String m = outcome.get(ref);
      assertTrue(m.startsWith("fsync WAL segment") || m.startsWith("write-ahead log failed earlier: injected fsync failure"),
          outcome.toString());
    }
    StorageException later = assertThrows(StorageException.class,
        () -> wal.write(List.of(), new long[] {100}, new long[] {9}, new double[] {9}, 1));
    assertTrue(later.getMessage().startsWith("write-ahead log failed earlier"), later.getMessage());
    wal.close();
    WalTest.Collector c = new WalTest.Collector();
    try (Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      assertNull(again.replay(c).repaired());
    }
    assertTrue(c.samples.stream().anyMatch(s -> s[0] == 100 && s[1] == 1), "the commit acknowledged earlier survives");
  }

  @Test
  void aFailedWriteFailsEveryWaiterOfItsGroup() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    int threads = 5;
    // Commit 1's group is written; the write of the group of commits 2..5 fails, before or while
    // commit 1's group is fsynced (which then fails too, as the log refuses everything after an
    // I/O error).
    Map<Long, String> outcome = commitBehindAHeldWrite(wal, io, threads, () -> io.failNextWrite.set(true));
    assertTrue(outcome.get(1L).isEmpty() || outcome.get(1L).startsWith("write-ahead log failed earlier: injected write failure"),
        outcome.toString());
    for (long ref = 2; ref <= threads; ref++) {
      assertTrue(outcome.get(ref).startsWith("write WAL segment 0: injected write failure"), outcome.toString());
    }
    wal.close();
    WalTest.Collector c = new WalTest.Collector();
    try (Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      again.replay(c);
    }
    assertEquals(1, c.samples.size(), "exactly the written commit is in the log");
    assertEquals(1, c.samples.get(0)[0]);
  }

  @Test
  void aQueueFullerThanItsCapacityIsWrittenInBoundedGroups() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    int commits = GroupCommit.QUEUE_CAPACITY + 50;
    long[] tokens = new long[commits];
    // One thread queues more commits than the queue holds: it must write groups itself.
    for (int i = 0; i < commits; i++) {
      tokens[i] = wal.write(i == 0 ? List.of(series(1)) : List.of(), new long[] {1}, new long[] {i},
          new double[] {i}, 1);
    }
    for (long t : tokens) {
      wal.awaitDurable(t);
    }
    long groups = wal.commitGroups();
    assertTrue(groups >= (commits + GroupCommit.MAX_GROUP_ENTRIES - 1) / GroupCommit.MAX_GROUP_ENTRIES,
        "groups " + groups);
    assertTrue(groups < commits, "groups " + groups);
    wal.close();
    WalTest.Collector c = new WalTest.Collector();
    try (Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      again.replay(c);
    }
    assertEquals(commits, c.samples.size());
    for (int i = 0; i < commits; i++) {
      assertEquals(i, c.samples.get(i)[1], "records in the order of the writes");
    }
  }

  @Test
  void enqueuersWaitingForRoomInAFullQueueAllGetIn() throws Exception {
    RecordingIo io = new RecordingIo();
    Wal wal = started(io, 1 << 20);
    GroupCommit gc = wal.groupCommit();
    int threads = 4;
    int perThread = GroupCommit.QUEUE_CAPACITY / 2;
    // The first group's write waits until the queue is full, so the other enqueuers wait for room.
    io.holdWriteUntil = () -> gc.queued() == GroupCommit.QUEUE_CAPACITY;
    List<Runnable> bodies = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      long ref = th + 1;
      bodies.add(() -> {
        long[] tokens = new long[perThread];
        for (int i = 0; i < perThread; i++) {
          tokens[i] = wal.write(i == 0 ? List.of(series(ref)) : List.of(), new long[] {ref},
              new long[] {i * 10L}, new double[] {i}, 1);
        }
        for (long t : tokens) {
          wal.awaitDurable(t);
        }
      });
    }
    runAll(bodies);
    wal.close();
    WalTest.Collector c = new WalTest.Collector();
    try (Wal again = Wal.open(FileIo.DEFAULT, dir, 1 << 20)) {
      again.replay(c);
    }
    assertEquals(threads, c.series.size());
    assertEquals(threads * perThread, c.samples.size());
  }
}
