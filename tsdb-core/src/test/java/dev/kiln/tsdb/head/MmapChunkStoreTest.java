package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmapChunkStoreTest {
  @TempDir Path dir;

  private static XorChunk chunk(Random r, long start, int n) {
    XorChunk c = new XorChunk();
    for (int i = 0; i < n; i++) {
      c.append(start + i * 15_000L, r.nextGaussian());
    }
    return c;
  }

  @Test
  void writesAndReadsChunksAcrossFilesAndTruncatesWholeFiles() throws IOException {
    Random r = new Random(42);
    MmapChunkStore store = new MmapChunkStore(FileIo.DEFAULT, dir, 4096);
    List<Long> refs = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      XorChunk c = chunk(r, i * 1000L, 1 + r.nextInt(120));
      refs.add(store.write(i, i * 1000L, i * 1000L + 999, c));
      bytes.add(c.bytes());
    }
    assertTrue(store.fileCount() > 3, "files " + store.fileCount());
    for (int i = 0; i < refs.size(); i++) {
      assertArrayEquals(bytes.get(i), store.read(refs.get(i)).bytes());
    }
    // Header: magic and version, as Prometheus's chunks_head files.
    byte[] head = Arrays8.read(dir.resolve("000001"));
    assertArrayEquals(new byte[] {0x01, 0x30, (byte) 0xBC, (byte) 0x91, 1, 0, 0, 0}, head);
    int before = store.fileCount();
    Chunk taken = store.read(refs.get(0)); // a reader that took a chunk before truncation
    store.truncateBefore(50_000);
    assertArrayEquals(bytes.get(0), taken.bytes());
    assertTrue(store.fileCount() < before);
    assertEquals(store.fileCount(), Files.list(dir).count());
    assertArrayEquals(bytes.get(99), store.read(refs.get(99)).bytes());
    store.close();
  }

  /** Bytes a chunk takes in a head chunk file: header fields, uvarint length, data, CRC. */
  private static long stored(Chunk c) {
    int len = c.bytes().length;
    int varint = 1;
    for (int v = len; v >= 0x80; v >>>= 7) {
      varint++;
    }
    return 8 + 8 + 8 + 1 + varint + len + 4;
  }

  @Test
  void fileGrowsWithItsChunksAndEndsAtTheLastOneWhenClosed() throws IOException {
    Random r = new Random(11);
    MmapChunkStore store = new MmapChunkStore(FileIo.DEFAULT, dir, 8 << 20);
    Path file = dir.resolve("000001");
    long written = MmapChunkStore.HEADER_BYTES;
    List<Long> refs = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      XorChunk c = chunk(r, i * 1000L, 1 + r.nextInt(120));
      refs.add(store.write(i + 1, i * 1000L, i * 1000L + 999, c));
      bytes.add(c.bytes());
      written += stored(c);
      long length = Files.size(file);
      assertTrue(length >= written && length < written + MmapChunkStore.GROW_BYTES + 64,
          "chunk " + i + ": file " + length + " bytes for " + written + " written");
      if (i == 1500) {
        store.releaseResidentPages(); // mapped afresh: the file keeps its length
        assertEquals(length, Files.size(file));
      }
    }
    assertEquals(1, store.fileCount());
    assertTrue(written > 8 * MmapChunkStore.GROW_BYTES, "grown in several steps: " + written);
    for (int i = 0; i < refs.size(); i++) {
      assertArrayEquals(bytes.get(i), store.read(refs.get(i)).bytes(), "chunk " + i);
    }
    store.close();
    assertEquals(written, Files.size(file), "cut back to its last chunk");
    MmapChunkStore reopened = new MmapChunkStore(FileIo.DEFAULT, dir, 8 << 20);
    assertEquals(3000, reopened.loadPreexisting(Long.MIN_VALUE).values().stream().mapToInt(l -> l.count).sum());
    reopened.close();
  }

  @Test
  void truncationStartsANewFileSoThatTheNextOneCanDeleteTheOld() throws IOException {
    Random r = new Random(5);
    MmapChunkStore store = new MmapChunkStore(FileIo.DEFAULT, dir, 1 << 20);
    long early = store.write(1, 0, 9_999, chunk(r, 0, 100));
    store.truncateBefore(0); // deletes nothing; the file with chunks is finished
    assertEquals(2, store.fileCount());
    assertEquals(stored(store.read(early)) + MmapChunkStore.HEADER_BYTES, Files.size(dir.resolve("000001")));
    store.truncateBefore(0); // the current file has no chunks: no new file
    assertEquals(2, store.fileCount());
    XorChunk late = chunk(r, 20_000, 100);
    long lateRef = store.write(1, 20_000, 29_999, late);
    assertEquals(2, (int) (lateRef >>> 32), "written to the new file");
    store.truncateBefore(15_000);
    try (var s = Files.list(dir)) {
      assertEquals(List.of("000002", "000003"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertArrayEquals(late.bytes(), store.read(lateRef).bytes());
    store.close();
  }

  @Test
  void truncationDeletesOnlyTheOldestFilesSoNoGapOpens() throws IOException {
    Random r = new Random(6);
    MmapChunkStore store = new MmapChunkStore(FileIo.DEFAULT, dir, 1 << 20);
    store.write(1, 0, 50_000, chunk(r, 0, 10)); // file 1 ends late
    store.truncateBefore(0);
    store.write(2, 0, 1_000, chunk(r, 0, 10)); // file 2 ends early
    store.truncateBefore(0);
    store.write(3, 60_000, 70_000, chunk(r, 60_000, 10)); // file 3
    store.truncateBefore(10_000); // file 2 alone ended before, but file 1 is kept: so is file 2
    try (var s = Files.list(dir)) {
      assertEquals(List.of("000001", "000002", "000003", "000004"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    store.close();
  }

  @Test
  void corruptionIsDetectedByChecksum() throws IOException {
    MmapChunkStore store = new MmapChunkStore(FileIo.DEFAULT, dir, 4096);
    long ref = store.write(1, 0, 10, chunk(new Random(1), 0, 10));
    try (FileChannel ch = FileChannel.open(dir.resolve("000001"), java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x55}), (int) ref + 40);
    }
    Chunk lazy = store.read(ref); // the checksum is checked when the data is first used
    StorageException e = assertThrows(StorageException.class, lazy::bytes);
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    store.close();
  }

  @Test
  void chunksReadTheSameBeforeAndAfterTheFilesAreMappedAfresh() throws IOException {
    Random r = new Random(7);
    int[] maps = {0};
    FileIo counting =
        new FileIo() {
          @Override
          public MappedByteBuffer map(FileChannel ch, FileChannel.MapMode mode, long off, long size)
              throws IOException {
            maps[0]++;
            return super.map(ch, mode, off, size);
          }
        };
    MmapChunkStore store = new MmapChunkStore(counting, dir, 4096);
    List<Long> refs = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    List<Chunk> taken = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      XorChunk c = chunk(r, i * 1000L, 1 + r.nextInt(120));
      refs.add(store.write(i, i * 1000L, i * 1000L + 999, c));
      bytes.add(c.bytes());
      taken.add(store.read(refs.get(i))); // not read yet: it reads through the mapping of its time
    }
    int files = store.fileCount();
    assertTrue(files > 2, "files " + files);
    assertEquals(files, maps[0]);
    store.releaseResidentPages();
    assertEquals(2 * files, maps[0], "every file mapped again");
    // Writes after the remapping go on in the current file, through the new mapping.
    for (int i = 60; i < 80; i++) {
      XorChunk c = chunk(r, i * 1000L, 1 + r.nextInt(120));
      refs.add(store.write(i, i * 1000L, i * 1000L + 999, c));
      bytes.add(c.bytes());
    }
    for (int i = 0; i < refs.size(); i++) {
      assertArrayEquals(bytes.get(i), store.read(refs.get(i)).bytes(), "chunk " + i);
    }
    for (int i = 0; i < taken.size(); i++) {
      assertArrayEquals(bytes.get(i), taken.get(i).bytes(), "chunk taken before, " + i);
    }
    store.close();
    // The files on disk hold what both mappings wrote: a restart loads every chunk.
    MmapChunkStore reopened = new MmapChunkStore(FileIo.DEFAULT, dir, 4096);
    assertEquals(80, reopened.loadPreexisting(Long.MIN_VALUE).values().stream().mapToInt(l -> l.count).sum());
    reopened.close();
  }

  @Test
  void droppedPagesLeaveTheResidentSetWhileChunksReadAndWriteOnTheSame() throws IOException {
    Random r = new Random(9);
    int fileBytes = 1 << 20;
    MmapChunkStore store = new MmapChunkStore(FileIo.DEFAULT, dir, fileBytes);
    List<Long> refs = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    List<Chunk> taken = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      XorChunk c = chunk(r, i * 1000L, 1 + r.nextInt(120));
      refs.add(store.write(i, i * 1000L, i * 1000L + 999, c));
      bytes.add(c.bytes());
      if (i % 10 == 0) {
        taken.add(store.read(refs.get(i))); // not read yet: it reads after the drop
      }
    }
    assertTrue(store.fileCount() > 1, "files " + store.fileCount());
    Path first = dir.resolve("000001");
    boolean smaps = dev.kiln.tsdb.io.Smaps.present();
    if (smaps) {
      assertTrue(dev.kiln.tsdb.io.Smaps.residentKib(first) > 512, "written pages resident");
    }
    assertTrue(store.dropResidentPages());
    if (smaps) {
      assertTrue(dev.kiln.tsdb.io.Smaps.residentKib(first) < 64, "resident after the drop: "
          + dev.kiln.tsdb.io.Smaps.residentKib(first) + " KiB");
    }
    // Writes go on in the current file through the same mapping.
    for (int i = 4000; i < 4100; i++) {
      XorChunk c = chunk(r, i * 1000L, 1 + r.nextInt(120));
      refs.add(store.write(i, i * 1000L, i * 1000L + 999, c));
      bytes.add(c.bytes());
    }
    for (int i = 0; i < refs.size(); i++) {
      assertArrayEquals(bytes.get(i), store.read(refs.get(i)).bytes(), "chunk " + i);
    }
    for (int i = 0; i < taken.size(); i++) {
      assertArrayEquals(bytes.get(i * 10), taken.get(i).bytes(), "chunk taken before, " + i * 10);
    }
    store.close();
    MmapChunkStore reopened = new MmapChunkStore(FileIo.DEFAULT, dir, fileBytes);
    assertEquals(4100, reopened.loadPreexisting(Long.MIN_VALUE).values().stream().mapToInt(l -> l.count).sum());
    reopened.close();
  }

  @Test
  void failedMappingFallsBackToHeapWithoutLosingChunks() {
    FileIo failing =
        new FileIo() {
          @Override
          public MappedByteBuffer map(FileChannel ch, FileChannel.MapMode mode, long off, long size)
              throws IOException {
            throw new IOException("injected: cannot map");
          }
        };
    MmapChunkStore store = new MmapChunkStore(failing, dir, 4096);
    XorChunk c = chunk(new Random(3), 0, 50);
    long ref = store.write(1, 0, 10, c);
    Chunk back = store.read(ref);
    assertArrayEquals(c.bytes(), back.bytes());
    assertTrue(store.heapBytes() > 0);
    store.close();
  }

  /** Reads the first 8 bytes of a file. */
  static final class Arrays8 {
    static byte[] read(Path p) throws IOException {
      try (var in = Files.newInputStream(p)) {
        return in.readNBytes(8);
      }
    }
  }
}
