package dev.kiln.tsdb.block;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A growable byte array with the primitive encodings of Prometheus's on-disk formats: big-endian
 * fixed-width integers and Go's {@code binary.PutUvarint} / {@code PutVarint} (zig-zag) varints.
 * Single-thread.
 */
final class EncodeBuffer {
  private byte[] buf;
  private int len;

  EncodeBuffer(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  void reset() {
    len = 0;
  }

  int length() {
    return len;
  }

  byte[] array() {
    return buf;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  void putByte(int b) {
    ensure(1);
    buf[len++] = (byte) b;
  }

  void putBytes(byte[] b) {
    putBytes(b, 0, b.length);
  }

  void putBytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  void putBe32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  void putBe64(long v) {
    putBe32((int) (v >>> 32));
    putBe32((int) v);
  }

  /** Overwrites 4 bytes at {@code pos} (for length fields written before the content). */
  void setBe32(int pos, int v) {
    buf[pos] = (byte) (v >>> 24);
    buf[pos + 1] = (byte) (v >>> 16);
    buf[pos + 2] = (byte) (v >>> 8);
    buf[pos + 3] = (byte) v;
  }

  void putUvarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
  }

  void putVarint(long v) {
    putUvarint((v << 1) ^ (v >> 63));
  }

  /** A uvarint length followed by the UTF-8 bytes. */
  void putUvarintString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    putUvarint(b.length);
    putBytes(b);
  }

  /** CRC32 Castagnoli of bytes [from, length()). */
  int crc32c(int from) {
    CRC32C c = new CRC32C();
    c.update(buf, from, len - from);
    return (int) c.getValue();
  }

  static int uvarintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }
}
