package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zeros the writer keeps ahead of its records in the open segment. */
class WalWriterZerosTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  @TempDir Path dir;

  /** Counts fsyncs that change the file's size since the previous one, and fails zero writes on request. */
  static final class SizeWatchingIo extends FileIo {
    int syncs;
    int syncsWithNewSize;
    long lastSize = -1;
    boolean failZeros;

    @Override
    public void sync(FileChannel ch) throws IOException {
      long size = ch.size();
      syncs++;
      if (size != lastSize) {
        syncsWithNewSize++;
      }
      lastSize = size;
      super.sync(ch);
    }

    @Override
    public void writeZeros(FileChannel ch, long position, long length) throws IOException {
      if (failZeros) {
        throw new IOException("injected failure");
      }
      super.writeZeros(ch, position, length);
    }
  }

  private static List<byte[]> records(Random r, int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] rec = new byte[1 + r.nextInt(r.nextInt(8) == 0 ? 40_000 : 3000)];
      r.nextBytes(rec);
      out.add(rec);
    }
    return out;
  }

  private static List<byte[]> readAll(Path dir) throws IOException {
    List<byte[]> read = new ArrayList<>();
    for (WalSegments.Segment s : WalSegments.list(FileIo.DEFAULT, dir)) {
      try (WalReader reader = new WalReader(FileIo.DEFAULT, s.path(), s.index())) {
        byte[] rec;
        while ((rec = reader.next()) != null) {
          read.add(rec);
        }
      }
    }
    return read;
  }

  @Test
  void aSegmentLeftOpenEndsInZerosAndReadsBackEveryRecord() throws IOException {
    Random r = new Random(SEED);
    List<byte[]> written = records(r, 200);
    WalWriter w = new WalWriter(FileIo.DEFAULT, dir, 0, 16L << 20);
    for (byte[] rec : written) {
      w.sync(w.log(rec));
    }
    // Not closed, as after a crash: the file runs past the records, in zeros.
    Path seg = WalSegments.list(FileIo.DEFAULT, dir).get(0).path();
    long size = Files.size(seg);
    assertTrue(size > w.writtenBytes(), "size " + size + " written " + w.writtenBytes());
    assertTrue(size <= w.writtenBytes() + WalWriter.ZERO_AHEAD + WalSegments.PAGE_SIZE, "size " + size);
    byte[] tail = new byte[(int) (size - w.writtenBytes())];
    try (FileChannel ch = FileChannel.open(seg)) {
      ch.read(ByteBuffer.wrap(tail), w.writtenBytes());
    }
    assertArrayEquals(new byte[tail.length], tail);
    List<byte[]> read = readAll(dir);
    assertEquals(written.size(), read.size(), "seed=" + SEED);
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(written.get(i), read.get(i), "record " + i + " seed=" + SEED);
    }
    w.close();
    assertEquals(w.writtenBytes(), Files.size(seg));
  }

  @Test
  void zerosStopAtTheSegmentsSizeAndClosedSegmentsEndAtTheirRecords() throws IOException {
    Random r = new Random(SEED);
    List<byte[]> written = records(r, 300);
    WalWriter w = new WalWriter(FileIo.DEFAULT, dir, 0, 64 * 1024);
    for (byte[] rec : written) {
      w.sync(w.log(rec));
      for (WalSegments.Segment s : WalSegments.list(FileIo.DEFAULT, dir)) {
        assertTrue(Files.size(s.path()) <= 64 * 1024, s.path() + " seed=" + SEED);
      }
    }
    w.close();
    List<WalSegments.Segment> segs = WalSegments.list(FileIo.DEFAULT, dir);
    assertTrue(segs.size() > 5, "segments " + segs.size());
    for (WalSegments.Segment s : segs) {
      long size = Files.size(s.path());
      byte[] last = new byte[1];
      try (FileChannel ch = FileChannel.open(s.path())) {
        // A closed segment ends in a record or its page's padding, never in a whole page of zeros.
        long pageStart = (size - 1) / WalSegments.PAGE_SIZE * WalSegments.PAGE_SIZE;
        ch.read(ByteBuffer.wrap(last), pageStart);
      }
      assertTrue(last[0] != 0, s.path() + " size " + size);
    }
    List<byte[]> read = readAll(dir);
    assertEquals(written.size(), read.size(), "seed=" + SEED);
  }

  @Test
  void fsyncsRarelyMeetANewFileSize() throws IOException {
    SizeWatchingIo io = new SizeWatchingIo();
    WalWriter w = new WalWriter(io, dir, 0, 128L << 20);
    byte[] rec = new byte[6000];
    for (int i = 0; i < 1000; i++) {
      w.sync(w.log(rec));
    }
    // 6 MB of records: a new size about once per ZERO_AHEAD, not once per commit.
    assertTrue(io.syncsWithNewSize <= 10, io.syncsWithNewSize + " of " + io.syncs);
    w.close();
  }

  @Test
  void aFailedZeroWriteCostsOnlyTheExtension() throws IOException {
    SizeWatchingIo io = new SizeWatchingIo();
    io.failZeros = true;
    WalWriter w = new WalWriter(io, dir, 0, 128L << 20);
    byte[] rec = new byte[6000];
    for (int i = 0; i < 100; i++) {
      w.sync(w.log(rec));
    }
    w.close();
    assertEquals(100, readAll(dir).size());
  }
}
