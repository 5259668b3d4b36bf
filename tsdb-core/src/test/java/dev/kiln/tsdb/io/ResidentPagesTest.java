package dev.kiln.tsdb.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResidentPagesTest {
  private static final int SIZE = 4 << 20;
  @TempDir Path dir;

  /** Java 17 and 18 with the incubator module (the build adds it), and Java 22 on, have the API. */
  @Test
  void availableOnTheJavaVersionsThatHaveTheApi() {
    int v = Runtime.version().feature();
    if (v <= 18 || v >= 22) {
      assertTrue(ResidentPages.detect().available(), "Java " + v);
    }
  }

  @Test
  void writtenPagesLeaveTheResidentSetAndKeepTheirBytes() throws Exception {
    ResidentPages pages = ResidentPages.detect();
    Path f = dir.resolve("data");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
      for (int i = 0; i < SIZE; i += 512) {
        m.putInt(i, i * 31);
      }
      if (Smaps.present()) {
        assertTrue(Smaps.residentKib(f) >= SIZE / 1024, "all pages resident after the writes");
      }
      assertTrue(pages.release(m));
      if (Smaps.present()) {
        assertTrue(Smaps.residentKib(f) < SIZE / 1024 / 8, "resident after the release: " + Smaps.residentKib(f) + " KiB");
      }
      // The writes are in the page cache: the file says so, and the mapping reads them back.
      ByteBuffer b = ByteBuffer.allocate(4);
      for (int i = 0; i < SIZE; i += 512 * 97) {
        b.clear();
        ch.read(b, i);
        assertEquals(i * 31, b.getInt(0), "file at " + i);
        assertEquals(i * 31, m.getInt(i), "mapping at " + i);
      }
      m.putInt(8, 77); // still writable through the same mapping
      assertEquals(77, m.getInt(8));
    }
  }

  @Test
  void readOnlyMappingAnswersTheSameAfterARelease() throws Exception {
    Path f = dir.resolve("ro");
    byte[] data = new byte[SIZE];
    new java.util.Random(3).nextBytes(data);
    Files.write(f, data);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
      byte[] before = new byte[SIZE];
      m.get(0, before);
      assertTrue(FileIo.DEFAULT.dropResidentPages(m));
      byte[] after = new byte[SIZE];
      m.get(0, after);
      assertTrue(java.util.Arrays.equals(data, before) && java.util.Arrays.equals(data, after));
    }
  }

  @Test
  void emptyMappingIsLeftAlone() throws Exception {
    Path f = dir.resolve("empty");
    Files.write(f, new byte[0]);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      assertFalse(ResidentPages.detect().release(ch.map(FileChannel.MapMode.READ_ONLY, 0, 0)));
    }
  }
}
