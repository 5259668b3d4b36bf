package dev.kiln.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.head.StorageAssertions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResidentPagesTest {
  @TempDir Path dir;

  /** Counts the mappings made through it. */
  private static final class CountingIo extends FileIo {
    final AtomicInteger maps = new AtomicInteger();

    @Override
    public MappedByteBuffer map(FileChannel ch, FileChannel.MapMode mode, long off, long size) throws IOException {
      maps.incrementAndGet();
      return super.map(ch, mode, off, size);
    }
  }

  @Test
  void mappedFileMapsEveryWindowAfreshAndReadsTheSameBytes() throws Exception {
    byte[] data = new byte[1000];
    new Random(2).nextBytes(data);
    Path f = dir.resolve("f");
    Files.write(f, data);
    CountingIo io = new CountingIo();
    try (MappedFile m = new MappedFile(io, f, 6)) { // 64-byte windows: 16 of them
      assertEquals(16, io.maps.get());
      byte[] before = m.bytes(0, 1000);
      m.releaseResidentPages();
      assertEquals(32, io.maps.get());
      assertArrayEquals(data, before);
      for (int pos = 0; pos < 990; pos += 13) {
        assertArrayEquals(java.util.Arrays.copyOfRange(data, pos, pos + 10), m.bytes(pos, 10));
        assertEquals(data[pos], m.get(pos));
      }
    }
  }

  @Test
  void blockAnswersTheSameAfterItsFilesAreMappedAfresh() throws Exception {
    Head head = Head.inMemory();
    BlockRoundTripTest.fill(new Random(11), head, new InMemoryStorage(), 20, 3_600_000L);
    BlockMeta meta = HeadBlockWriter.write(FileIo.DEFAULT, dir, head, BlockRoundTripTest.BASE,
        BlockRoundTripTest.BASE + 7_200_000L);
    CountingIo io = new CountingIo();
    try (Block block = Block.open(io, dir.resolve(meta.ulid().toString()))) {
      LabelMatcher all = LabelMatcher.regex("__name__", ".+");
      String want = StorageAssertions.dump(block, Long.MIN_VALUE, Long.MAX_VALUE, all);
      int mapped = io.maps.get();
      block.releaseResidentPages();
      assertEquals(2 * mapped, io.maps.get(), "index and every chunk segment mapped again");
      assertEquals(want, StorageAssertions.dump(block, Long.MIN_VALUE, Long.MAX_VALUE, all));
      block.close();
      block.releaseResidentPages(); // a closed block is left alone
      assertEquals(2 * mapped, io.maps.get());
    }
  }

  @Test
  void blockAnswersTheSameAfterItsPagesAreDropped() throws Exception {
    Head head = Head.inMemory();
    BlockRoundTripTest.fill(new Random(12), head, new InMemoryStorage(), 40, 3_600_000L);
    BlockMeta meta = HeadBlockWriter.write(FileIo.DEFAULT, dir, head, BlockRoundTripTest.BASE,
        BlockRoundTripTest.BASE + 7_200_000L);
    Path blockDir = dir.resolve(meta.ulid().toString());
    CountingIo io = new CountingIo();
    try (Block block = Block.open(io, blockDir)) {
      LabelMatcher all = LabelMatcher.regex("__name__", ".+");
      String want = StorageAssertions.dump(block, Long.MIN_VALUE, Long.MAX_VALUE, all);
      int mapped = io.maps.get();
      Path segment = blockDir.resolve("chunks").resolve("000001");
      if (dev.kiln.tsdb.io.Smaps.present()) {
        assertTrue(dev.kiln.tsdb.io.Smaps.residentKib(segment) > 0, "read pages resident");
      }
      assertTrue(block.dropResidentPages());
      assertEquals(mapped, io.maps.get(), "nothing mapped again");
      if (dev.kiln.tsdb.io.Smaps.present()) {
        assertEquals(0, dev.kiln.tsdb.io.Smaps.residentKib(segment));
        assertEquals(0, dev.kiln.tsdb.io.Smaps.residentKib(blockDir.resolve("index")));
      }
      assertEquals(want, StorageAssertions.dump(block, Long.MIN_VALUE, Long.MAX_VALUE, all));
      block.close();
      assertTrue(block.dropResidentPages()); // a closed block is left alone
    }
  }
}
