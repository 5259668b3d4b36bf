package dev.kiln.tsdb.block;

import java.nio.charset.StandardCharsets;

/**
 * Reads Prometheus's primitive encodings from a byte array range: big-endian integers and Go
 * varints. Throws {@link IllegalStateException} when reading past the end. Single-thread.
 */
final class DecodeBuffer {
  private final byte[] b;
  private int pos;
  private final int end;

  DecodeBuffer(byte[] b, int from, int end) {
    this.b = b;
    this.pos = from;
    this.end = end;
  }

  int remaining() {
    return end - pos;
  }

  int position() {
    return pos;
  }

  private void need(int n) {
    if (end - pos < n) {
      throw new IllegalStateException("unexpected end of data at offset " + pos);
    }
  }

  int u8() {
    need(1);
    return b[pos++] & 0xff;
  }

  int be32() {
    need(4);
    int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  long be64() {
    return ((long) be32() << 32) | (be32() & 0xFFFFFFFFL);
  }

  long uvarint() {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int x = u8();
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalStateException("varint overflow at offset " + pos);
  }

  long varint() {
    long u = uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  String uvarintString() {
    int n = (int) uvarint();
    need(n);
    String s = new String(b, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }
}
