package dev.kiln.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnappyBlockTest {
  @TempDir Path dir;

  @Test
  void decodesLiteralsAndOverlappingCopies() {
    // 9 bytes: literal "abc" (tag (3-1)<<2), then a 1-byte-offset copy of 6 bytes at offset 3.
    byte[] block = {9, 0x08, 'a', 'b', 'c', 0x09, 3};
    assertArrayEquals("abcabcabc".getBytes(StandardCharsets.US_ASCII), SnappyBlock.decompress(block, 0, block.length));
    // 2-byte-offset copy: "xy" then copy 4 bytes from offset 2 -> "xyxyxy".
    byte[] two = {6, 0x04, 'x', 'y', (byte) ((4 - 1) << 2 | 2), 2, 0};
    assertArrayEquals("xyxyxy".getBytes(StandardCharsets.US_ASCII), SnappyBlock.decompress(two, 0, two.length));
    assertThrows(IllegalArgumentException.class, () -> SnappyBlock.decompress(new byte[] {9, 0x09, 7}, 0, 3));
    assertThrows(IllegalArgumentException.class, () -> SnappyBlock.decompress(new byte[] {5, 0x08, 'a'}, 0, 3));
  }

  /** A Snappy-compressed record, fragmented as Prometheus writes it, replays like a plain one. */
  @Test
  void compressedRecordsReplay() throws IOException {
    byte[] rec = WalRecords.encodeSeries(List.of(new WalRecords.SeriesRecord(3, Labels.of("__name__", "up"))));
    byte[] block = new byte[rec.length + 2];
    block[0] = (byte) rec.length; // uvarint length (< 128)
    block[1] = (byte) ((rec.length - 1) << 2); // one literal (length <= 60)
    System.arraycopy(rec, 0, block, 2, rec.length);
    CRC32C crc = new CRC32C();
    crc.update(block);
    int c = (int) crc.getValue();
    byte[] seg = new byte[7 + block.length];
    seg[0] = 0x09; // full record | Snappy
    seg[1] = (byte) (block.length >>> 8);
    seg[2] = (byte) block.length;
    seg[3] = (byte) (c >>> 24);
    seg[4] = (byte) (c >>> 16);
    seg[5] = (byte) (c >>> 8);
    seg[6] = (byte) c;
    System.arraycopy(block, 0, seg, 7, block.length);
    Files.write(dir.resolve("00000000"), seg);
    WalTest.Collector col = new WalTest.Collector();
    Wal wal = Wal.open(FileIo.DEFAULT, dir, 1 << 20);
    Wal.ReplayStats stats = wal.replay(col);
    assertEquals(null, stats.repaired());
    assertEquals(List.of(new WalRecords.SeriesRecord(3, Labels.of("__name__", "up"))), col.series);
    wal.close();
  }
}
