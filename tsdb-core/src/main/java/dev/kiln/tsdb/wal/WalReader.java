package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file, checking every fragment's type, length, page bounds and
 * CRC32C. Single-thread; close it to release the file.
 */
public final class WalReader implements AutoCloseable {
  private final FileIo io;
  private final Path path;
  private final int segmentIndex;
  private final FileChannel ch;
  private final long size;
  private final ByteBuffer buf = ByteBuffer.allocate(WalSegments.PAGE_SIZE);
  private final CRC32C crc = new CRC32C();
  private long bufStart;
  private long pos;
  private long recordStart;
  private byte[] rec = new byte[1024];
  private int recLen;
  private boolean compressed;

  public WalReader(FileIo io, Path path, int segmentIndex) throws IOException {
    this.io = io;
    this.path = path;
    this.segmentIndex = segmentIndex;
    this.ch = io.openForRead(path);
    this.size = ch.size();
    buf.limit(0);
  }

  /** Offset where the last returned record started (or where reading failed). */
  public long recordStart() {
    return recordStart;
  }

  /** Offset just after the last returned record. */
  public long position() {
    return pos;
  }

  /**
   * Returns the next record, or null at the end of the segment.
   *
   * @throws WalCorruptionException when the bytes are not a valid record (torn or corrupt)
   */
  public byte[] next() throws IOException {
    recLen = 0;
    boolean inRecord = false;
    compressed = false;
    recordStart = pos;
    while (true) {
      int inPage = (int) (pos % WalSegments.PAGE_SIZE);
      if (WalSegments.PAGE_SIZE - inPage < WalSegments.HEADER_SIZE) {
        // Too little room for a header: the writer padded the rest of the page.
        skipPadding(WalSegments.PAGE_SIZE - inPage, inRecord);
        continue;
      }
      if (pos >= size) {
        if (inRecord) {
          throw corrupt("record cut off at end of segment");
        }
        return null;
      }
      int type = readByte(pos) & 0xff;
      if (type == 0) {
        // Page terminator: the rest of the page must be zero.
        skipPadding(WalSegments.PAGE_SIZE - inPage, inRecord);
        if (!inRecord) {
          recordStart = pos;
        }
        continue;
      }
      int flags = type & (WalSegments.SNAPPY_FLAG | WalSegments.ZSTD_FLAG);
      if (flags != 0 && (type & ~(0x7 | WalSegments.SNAPPY_FLAG | WalSegments.ZSTD_FLAG)) == 0) {
        if ((flags & WalSegments.ZSTD_FLAG) != 0) {
          // Valid data Kiln cannot read yet: not corruption, so it must not be "repaired" away.
          throw new UnsupportedWalException(
              path + " at offset " + pos + ": zstd-compressed WAL records are not supported yet;"
                  + " start Prometheus with --storage.tsdb.wal-compression-type=snappy (or without"
                  + " WAL compression) and let it rotate the WAL, or move the WAL away");
        }
        if (!inRecord) {
          compressed = true;
        } else if (!compressed) {
          throw corrupt("compression flag changes within a record");
        }
        type &= 0x7;
      } else if (inRecord && compressed) {
        throw corrupt("compression flag changes within a record");
      }
      if (type < WalSegments.FULL || type > WalSegments.LAST) {
        throw corrupt("invalid fragment type " + type);
      }
      if (pos + WalSegments.HEADER_SIZE > size) {
        throw corrupt("fragment header cut off");
      }
      int len = ((readByte(pos + 1) & 0xff) << 8) | (readByte(pos + 2) & 0xff);
      int sum =
          ((readByte(pos + 3) & 0xff) << 24)
              | ((readByte(pos + 4) & 0xff) << 16)
              | ((readByte(pos + 5) & 0xff) << 8)
              | (readByte(pos + 6) & 0xff);
      if (inPage + WalSegments.HEADER_SIZE + len > WalSegments.PAGE_SIZE) {
        throw corrupt("fragment of " + len + " bytes crosses a page");
      }
      if (pos + WalSegments.HEADER_SIZE + len > size) {
        throw corrupt("fragment cut off at end of segment");
      }
      boolean first = type == WalSegments.FULL || type == WalSegments.FIRST;
      if (first == inRecord) {
        throw corrupt(inRecord ? "new record before the last fragment" : "fragment without a start");
      }
      ensureRec(recLen + len);
      readInto(pos + WalSegments.HEADER_SIZE, rec, recLen, len);
      crc.reset();
      crc.update(rec, recLen, len);
      if ((int) crc.getValue() != sum) {
        throw corrupt("checksum mismatch");
      }
      recLen += len;
      pos += WalSegments.HEADER_SIZE + len;
      if (type == WalSegments.FULL || type == WalSegments.LAST) {
        if (compressed) {
          try {
            return SnappyBlock.decompress(rec, 0, recLen);
          } catch (IllegalArgumentException e) {
            throw corrupt(e.getMessage());
          }
        }
        return java.util.Arrays.copyOf(rec, recLen);
      }
      inRecord = true;
    }
  }

  private void skipPadding(int n, boolean inRecord) throws IOException {
    long end = Math.min(pos + n, size);
    for (long p = pos; p < end; p++) {
      if (readByte(p) != 0) {
        throw corrupt("non-zero byte in page padding");
      }
    }
    pos += n;
    if (pos > size && inRecord) {
      throw corrupt("record cut off at end of segment");
    }
    if (pos > size) {
      pos = size;
    }
  }

  private void ensureRec(int n) {
    if (n > rec.length) {
      rec = java.util.Arrays.copyOf(rec, Math.max(n, rec.length * 2));
    }
  }

  private byte readByte(long p) throws IOException {
    fill(p);
    return buf.get((int) (p - bufStart));
  }

  private void readInto(long p, byte[] dst, int off, int len) throws IOException {
    while (len > 0) {
      fill(p);
      int avail = (int) (bufStart + buf.limit() - p);
      int n = Math.min(avail, len);
      buf.position((int) (p - bufStart));
      buf.get(dst, off, n);
      p += n;
      off += n;
      len -= n;
    }
  }

  private void fill(long p) throws IOException {
    if (p >= bufStart && p < bufStart + buf.limit()) {
      return;
    }
    bufStart = p - (p % WalSegments.PAGE_SIZE);
    buf.clear();
    long at = bufStart;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, at);
      if (n < 0) {
        break;
      }
      at += n;
    }
    buf.flip();
    if (p >= bufStart + buf.limit()) {
      throw new IOException("read past end of " + path + " at " + p);
    }
  }

  /** A corruption error located at the start of the last record read. */
  public WalCorruptionException corruptAtRecord(String what) {
    return corrupt(what);
  }

  private WalCorruptionException corrupt(String what) {
    return new WalCorruptionException(path, segmentIndex, recordStart, what);
  }

  @Override
  public void close() throws IOException {
    io.close(ch);
  }
}
