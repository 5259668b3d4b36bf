package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.ChunkEncoding;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A reusable buffer one chunk at a time is read into from the chunk segments ({@link
 * ChunkReader#read}): the encoding byte at index 0, the chunk's {@link #length} data bytes from
 * index 1, then its checksum. Reading the next chunk overwrites it. Single-thread.
 */
final class ChunkBytes {
  byte[] data = new byte[256];
  int length;
  ChunkEncoding encoding;
  /** Where the chunk was read from, for corruption errors. */
  Path path;
  long offset;
  final int[] varintSize = new int[1];
  final CRC32C crc = new CRC32C();

  /** The buffer, with room for at least {@code n} bytes (contents lost when it grows). */
  byte[] room(int n) {
    if (data.length < n) {
      data = new byte[Math.max(n, data.length * 2)];
    }
    return data;
  }

  /** The chunk's data bytes in a new array. */
  byte[] copy() {
    return Arrays.copyOfRange(data, 1, 1 + length);
  }
}
