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
      super.sync(ch);
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
  void failedFsyncFailsTheCommitAppliesNothingAndRefusesLaterCommits() {
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
    assertEquals(1, count(db), "the failed batch must not be visible");
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
}
