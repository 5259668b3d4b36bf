package dev.kiln.tsdb.wal;

import java.io.IOException;
import org.xerial.snappy.Snappy;

/**
 * Snappy-compresses WAL records (block format, through snappy-java's native {@code byte[]} API)
 * into one output array reused for every record, so compressing allocates nothing once the array
 * has grown to the largest record seen. Single-thread: the {@link WalWriter} that owns it
 * serializes its callers.
 */
final class SnappyRecordCompressor {
  private byte[] out = new byte[Snappy.maxCompressedLength(WalSegments.PAGE_SIZE)];

  /**
   * Compresses {@code len} bytes at {@code off} into {@link #output()}.
   *
   * @return the compressed length when it is smaller than {@code len} (the record should be
   *     written compressed), otherwise -1 (write it as it is); -1 for an empty record
   */
  int compress(byte[] rec, int off, int len) throws IOException {
    if (len == 0) {
      return -1;
    }
    int max = Snappy.maxCompressedLength(len);
    if (max > out.length) {
      out = new byte[Math.max(max, out.length * 2)];
    }
    int n = Snappy.rawCompress(rec, off, len, out, 0);
    return n < len ? n : -1;
  }

  /** The array the last {@link #compress} wrote to; valid until the next call. */
  byte[] output() {
    return out;
  }
}
