package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** I/O faults injected through {@link FileIo}, and leak checks of files and mappings. */
class DbFaultTest {
  @TempDir Path dir;

  /** Counts open channels and mappings; can be told to fail fsyncs. */
  static final class TrackingIo extends FileIo {
    final AtomicInteger openChannels = new AtomicInteger();
    final AtomicInteger liveMappings = new AtomicInteger();
    final AtomicBoolean failSync = new AtomicBoolean();
    /** Mutating calls left before the next one fails; negative when disarmed. */
    final AtomicInteger failAfter = new AtomicInteger(-1);
    final AtomicBoolean fired = new AtomicBoolean();
    volatile String firedAt;
    /**
     * Skips the real fsyncs (the page cache already serves a reopen in the same process), which
     * keeps tests that repeat an operation once per I/O call quick.
     */
    volatile boolean skipRealSync;

    /** Fails the mutating call {@code n} calls from now (0 = the next one). */
    void failAt(int n) {
      fired.set(false);
      failAfter.set(n);
    }

    void disarm() {
      failAfter.set(-1);
    }

    private void step(String what, Object target) throws IOException {
      if (failAfter.get() >= 0 && failAfter.getAndDecrement() == 0) {
        fired.set(true);
        firedAt = what + " " + target;
        throw new IOException("injected " + what + " failure");
      }
    }

    @Override
    public void write(FileChannel ch, java.nio.ByteBuffer buf) throws IOException {
      step("write", ch);
      super.write(ch, buf);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
      step("directory fsync", d);
      if (!skipRealSync) {
        super.syncDirectory(d);
      }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      step("rename", from);
      super.rename(from, to);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
      step("truncate", file);
      super.truncate(file, size);
    }

    @Override
    public void createDirectories(Path d) throws IOException {
      step("mkdir", d);
      super.createDirectories(d);
    }

    @Override
    public void force(MappedByteBuffer buffer) {
      if (failAfter.get() >= 0 && failAfter.getAndDecrement() == 0) {
        fired.set(true);
        firedAt = "msync";
        throw new java.io.UncheckedIOException(new IOException("injected msync failure"));
      }
      if (!skipRealSync) {
        super.force(buffer);
      }
    }

    @Override
    public FileChannel openForAppend(Path file) throws IOException {
      FileChannel ch = super.openForAppend(file);
      openChannels.incrementAndGet();
      return ch;
    }

    @Override
    public FileChannel openForUpdate(Path file) throws IOException {
      FileChannel ch = super.openForUpdate(file);
      openChannels.incrementAndGet();
      return ch;
    }

    @Override
    public FileChannel openForRead(Path file) throws IOException {
      FileChannel ch = super.openForRead(file);
      openChannels.incrementAndGet();
      return ch;
    }

    @Override
    public FileChannel tryLock(Path lockFile) throws IOException {
      FileChannel ch = super.tryLock(lockFile);
      if (ch != null) {
        openChannels.incrementAndGet();
      }
      return ch;
    }

    @Override
    public void close(FileChannel ch) throws IOException {
      openChannels.decrementAndGet();
      super.close(ch);
    }

    @Override
    public MappedByteBuffer map(FileChannel ch, FileChannel.MapMode mode, long off, long size)
        throws IOException {
      liveMappings.incrementAndGet();
      return super.map(ch, mode, off, size);
    }

    @Override
    public void unmap(MappedByteBuffer buffer) {
      liveMappings.decrementAndGet();
    }

    @Override
    public void sync(FileChannel ch) throws IOException {
      if (failSync.get()) {
        throw new IOException("injected fsync failure");
      }
      step("fsync", ch);
      if (!skipRealSync) {
        super.sync(ch);
      }
    }
  }

  private static int count(Db db) {
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(false, null, LabelMatcher.regex("__name__", ".+"));
      int n = 0;
      while (set.next()) {
        n++;
      }
      return n;
    }
  }

  @Test
  void failedFsyncFailsTheCommitAndRefusesLaterCommits() {
    TrackingIo io = new TrackingIo();
    Db db = Db.create(dir, DbOptions.defaults(), io);
    db.start();
    Appender ok = db.appender();
    ok.append(0, Labels.of("__name__", "a"), 1, 1);
    ok.commit();
    io.failSync.set(true);
    Appender bad = db.appender();
    bad.append(0, Labels.of("__name__", "b"), 1, 1);
    StorageException e = assertThrows(StorageException.class, bad::commit);
    assertTrue(e.getMessage().contains("fsync"), e.getMessage());
    // The batch was applied to memory while the log was fsynced, as Prometheus shows samples
    // before they are durable; what matters is that its commit was not acknowledged.
    io.failSync.set(false);
    Appender later = db.appender();
    later.append(0, Labels.of("__name__", "c"), 1, 1);
    assertThrows(StorageException.class, later::commit, "log refuses commits after an I/O error");
    db.close(); // releases files even after the failure
    try (Db again = Db.open(dir, DbOptions.defaults())) {
      assertTrue(count(again) >= 1, "acknowledged data survives");
    }
  }

  @Test
  void closeReleasesEveryFileAndMapping() {
    TrackingIo io = new TrackingIo();
    Db db = Db.create(dir, DbOptions.builder().headChunkFileBytes(4096).walSegmentBytes(64 * 1024).build(), io);
    db.start();
    Labels l = Labels.of("__name__", "x");
    for (int batch = 0; batch < 50; batch++) {
      Appender app = db.appender();
      for (int i = 0; i < 100; i++) {
        app.append(0, l, batch * 100_000L + i * 1000L, i);
      }
      app.commit();
    }
    assertTrue(io.liveMappings.get() > 1, "chunks were mapped: " + io.liveMappings.get());
    db.head().truncate(25 * 100_000L);
    db.close();
    assertEquals(0, io.openChannels.get(), "open channels after close");
    assertEquals(0, io.liveMappings.get(), "live mappings after close");
    // A restart maps the old chunk files again; closing must release those too.
    Db again = Db.create(dir, DbOptions.builder().headChunkFileBytes(4096).walSegmentBytes(64 * 1024).build(), io);
    again.start();
    assertTrue(io.liveMappings.get() > 0, "old chunk files were mapped on restart");
    again.close();
    assertEquals(0, io.openChannels.get(), "open channels after the second close");
    assertEquals(0, io.liveMappings.get(), "live mappings after the second close");
  }

  @Test
  void compressedWalIsRefusedWithoutTouchingAnyFile() throws IOException {
    Path wal = dir.resolve("wal");
    java.nio.file.Files.createDirectories(wal);
    byte[] data = {1, 2, 3};
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(data);
    int c = (int) crc.getValue();
    // One zstd-flagged full record (type 1 | 0x10), as Prometheus writes with zstd WAL compression.
    byte[] segment = {0x11, 0, 3, (byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c, 1, 2, 3};
    java.nio.file.Files.write(wal.resolve("00000000"), segment);
    Path chunks = dir.resolve("chunks_head");
    java.nio.file.Files.createDirectories(chunks);
    java.nio.file.Files.write(chunks.resolve("000001"), new byte[] {1, 48, (byte) 0xBC, (byte) 0x91, 1, 0, 0, 0});

    StorageException e = assertThrows(StorageException.class, () -> Db.open(dir, DbOptions.defaults()));
    assertTrue(e.getMessage().contains("zstd"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertArrayEquals(segment, java.nio.file.Files.readAllBytes(wal.resolve("00000000")));
    assertTrue(java.nio.file.Files.exists(chunks.resolve("000001")), "old head chunks kept");
    assertEquals(1, java.nio.file.Files.list(wal).count(), "no new segment");
  }

  static final long H = 3_600_000L;
  /** Aligned to the 6h range of the second compaction level. */
  static final long BASE = 1_700_000_000_000L - (1_700_000_000_000L % (6 * H));
  static final LabelMatcher ALL = LabelMatcher.regex("__name__", ".+");

  private static DbOptions blockOpts() {
    return DbOptions.builder().compactionIntervalMillis(0).build();
  }

  /** Every sample in the database as {@code labels@t=v}. */
  private static java.util.SortedSet<String> samples(Db db) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = q.select(false, null, ALL);
      while (set.next()) {
        dev.kiln.tsdb.storage.Series s = set.at();
        dev.kiln.tsdb.storage.SampleIterator it = s.iterator(null);
        while (it.next() != dev.kiln.tsdb.storage.ValueType.NONE) {
          out.add(s.labels() + "@" + it.atT() + "=" + it.atV());
        }
      }
    }
    return out;
  }

  /** Commits 3 series every 5 minutes over [from, to), each batch acknowledged. */
  private static void fill(Db db, long from, long to) {
    for (long t = from; t < to; t += 300_000L) {
      Appender app = db.appender();
      for (int s = 0; s < 3; s++) {
        app.append(0, Labels.of("__name__", "m", "s", "s" + s), t + s, t % 7919 + s);
      }
      app.commit();
    }
  }

  /** A database operation to fail at each of its mutating I/O calls, and what must hold after. */
  private interface Scenario {
    /** Prepares the database without faults; returns the samples acknowledged so far. */
    java.util.SortedSet<String> prepare(Db db);

    /** The faulty operation. */
    void run(Db db);

    /** Checks the reopened database; {@code succeeded} when {@link #run} returned normally. */
    void check(java.util.SortedSet<String> acknowledged, java.util.SortedSet<String> after, boolean succeeded);
  }

  /**
   * Runs the scenario once per mutating I/O call it makes, failing that call, then reopens the
   * database with the real file system and checks it. Returns the number of calls failed.
   */
  private int failEveryStep(String name, Scenario sc) {
    Path template = dir.resolve(name + "-template");
    java.util.SortedSet<String> acked;
    try (Db db = openQuick(template)) {
      acked = sc.prepare(db);
    }
    int step = 0;
    while (true) {
      Path d = dir.resolve(name + "-" + step);
      copyTree(template, d);
      TrackingIo io = new TrackingIo();
      Db db = Db.create(d, blockOpts(), io);
      db.start();
      io.failAt(step);
      boolean succeeded;
      try {
        sc.run(db);
        succeeded = true;
      } catch (RuntimeException e) {
        succeeded = false;
        assertTrue(io.fired.get(), "only the injected fault may fail the operation: " + e);
      }
      boolean fired = io.fired.get();
      String at = io.firedAt;
      io.disarm();
      try {
        db.close();
      } catch (RuntimeException e) {
        // closing after an I/O error may fail; the reopen below is what counts
      }
      try (Db again = openQuick(d)) {
        java.util.SortedSet<String> after = samples(again);
        try {
          sc.check(acked, after, succeeded);
        } catch (AssertionError e) {
          throw new AssertionError(name + ": after failing step " + step + " (" + at + "): " + e.getMessage(), e);
        }
        // The reopened database finishes the interrupted work without losing anything.
        again.compact();
        sc.check(acked, samples(again), succeeded);
      }
      if (!fired) {
        return step;
      }
      step++;
    }
  }

  @Test
  void failedWriteOrFsyncAtAnyStepOfHeadAndBlockCompactionLosesNothing() {
    int steps = failEveryStep("compact", new Scenario() {
      @Override
      public java.util.SortedSet<String> prepare(Db db) {
        fill(db, BASE, BASE + 10 * H);
        return samples(db);
      }

      @Override
      public void run(Db db) {
        db.compact();
        // Four 2h blocks were cut from the head and the three oldest merged into one 6h block.
        assertTrue(db.blocks().stream().anyMatch(b -> b.meta().level() >= 2), "blocks were compacted");
      }

      @Override
      public void check(java.util.SortedSet<String> acked, java.util.SortedSet<String> after, boolean ok) {
        assertEquals(acked, after);
      }
    });
    assertTrue(steps > 20, "compaction made only " + steps + " mutating calls");
  }

  @Test
  void failedWriteOrFsyncWhileDeletingKeepsEverySampleOutsideTheDeletion() {
    long from = BASE + H;
    long to = BASE + 5 * H;
    LabelMatcher victim = LabelMatcher.equal("s", "s1");
    java.util.function.Predicate<String> deleted =
        x -> x.contains("s=\"s1\"") && inRange(x, from, to);
    int steps = failEveryStep("delete", new Scenario() {
      @Override
      public java.util.SortedSet<String> prepare(Db db) {
        fill(db, BASE, BASE + 10 * H);
        db.compact(); // blocks [0, 6h) and [6h, 8h); the head holds [8h, 10h)
        return samples(db);
      }

      @Override
      public void run(Db db) {
        db.deleteSeries(from, to, victim);
      }

      @Override
      public void check(java.util.SortedSet<String> acked, java.util.SortedSet<String> after, boolean ok) {
        java.util.SortedSet<String> kept = new java.util.TreeSet<>(acked);
        kept.removeIf(deleted);
        if (ok) {
          assertEquals(kept, after, "an acknowledged deletion stays deleted and nothing else goes");
        } else {
          assertTrue(after.containsAll(kept), "samples outside a failed deletion survive");
          assertTrue(acked.containsAll(after), "nothing appears");
        }
      }
    });
    assertTrue(steps > 2, "deletion made only " + steps + " mutating calls");
  }

  @Test
  void failedWriteOrFsyncWhileRewritingBlocksWithoutTombstonesKeepsTheDeletion() {
    long from = BASE + H;
    long to = BASE + 5 * H;
    int steps = failEveryStep("clean", new Scenario() {
      @Override
      public java.util.SortedSet<String> prepare(Db db) {
        fill(db, BASE, BASE + 10 * H);
        db.compact();
        assertTrue(db.deleteSeries(from, to, LabelMatcher.equal("s", "s1")) > 0);
        return samples(db);
      }

      @Override
      public void run(Db db) {
        db.cleanTombstones();
      }

      @Override
      public void check(java.util.SortedSet<String> acked, java.util.SortedSet<String> after, boolean ok) {
        assertEquals(acked, after, "neither lost nor resurrected samples");
      }
    });
    assertTrue(steps > 5, "rewriting made only " + steps + " mutating calls");
  }

  private static Db openQuick(Path d) {
    TrackingIo io = new TrackingIo();
    io.skipRealSync = true;
    Db db = Db.create(d, blockOpts(), io);
    db.start();
    return db;
  }

  private static void copyTree(Path from, Path to) {
    try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(from)) {
      for (Path p : all.toList()) {
        Path dst = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(dst);
        } else {
          java.nio.file.Files.copy(p, dst);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean inRange(String sample, long from, long to) {
    String rest = sample.substring(sample.lastIndexOf('@') + 1);
    long t = Long.parseLong(rest.substring(0, rest.indexOf('=')));
    return t >= from && t <= to;
  }
}
