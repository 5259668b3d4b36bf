package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes a block's {@code chunks/} directory: segment files {@code 000001}, {@code 000002}, ...
 * each starting with the header {@code magic 0x85BD40DD <4b> | version 1 <1b> | padding <3b>}
 * followed by chunks {@code len <uvarint> | encoding <1b> | data <len bytes> | CRC32C <4b>} (the
 * checksum covers the encoding byte and data), as Prometheus's {@code tsdb/docs/format/chunks.md}.
 * A segment is closed before it would exceed the segment size. A chunk's reference is
 * {@code (segment index, starting at 0) << 32 | offset in the segment}. Single-thread.
 */
final class ChunkSegmentWriter implements AutoCloseable {
  static final int MAGIC = 0x85BD40DD;
  static final int HEADER_BYTES = 8;
  /** Prometheus's default segment size: 512 MiB. */
  static final long DEFAULT_SEGMENT_BYTES = 512L * 1024 * 1024;

  private final FileIo io;
  private final Path dir;
  private final long segmentBytes;
  private final EncodeBuffer head = new EncodeBuffer(16);
  private final CRC32C crc = new CRC32C();
  private SequentialFileWriter cur;
  private int seq = -1;
  private long bytesWritten;

  ChunkSegmentWriter(FileIo io, Path dir, long segmentBytes) throws IOException {
    this.io = io;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    io.createDirectories(dir);
  }

  static String segmentName(int index) {
    return String.format("%06d", index + 1);
  }

  /** Writes one chunk and returns its reference. */
  long write(Chunk chunk) throws IOException {
    byte[] data = chunk.bytes();
    head.reset();
    head.putUvarint(data.length);
    long size = head.length() + 1L + data.length + 4;
    if (cur == null || (cur.position() + size > segmentBytes && cur.position() > HEADER_BYTES)) {
      nextSegment();
    }
    long ref = ((long) seq << 32) | cur.position();
    byte enc = chunk.encoding().code();
    head.putByte(enc);
    cur.write(head);
    cur.write(data, 0, data.length);
    crc.reset();
    crc.update(enc);
    crc.update(data, 0, data.length);
    int c = (int) crc.getValue();
    byte[] cb = {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c};
    cur.write(cb, 0, 4);
    bytesWritten += size;
    return ref;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  private void nextSegment() throws IOException {
    if (cur != null) {
      cur.finish();
    }
    seq++;
    cur = new SequentialFileWriter(io, dir.resolve(segmentName(seq)));
    EncodeBuffer h = new EncodeBuffer(8);
    h.putBe32(MAGIC);
    h.putByte(1);
    h.putByte(0);
    h.putByte(0);
    h.putByte(0);
    cur.write(h);
  }

  /** Syncs and closes the last segment. */
  void finish() throws IOException {
    if (cur != null) {
      cur.finish();
      cur = null;
    }
  }

  @Override
  public void close() throws IOException {
    if (cur != null) {
      cur.close();
    }
  }
}
