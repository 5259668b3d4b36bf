package dev.kiln.tsdb.wal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer with the encoding primitives of Prometheus's WAL records. */
final class RecordBuffer {
  private byte[] b;
  private int n;

  RecordBuffer(int cap) {
    b = new byte[Math.max(16, cap)];
  }

  private void ensure(int more) {
    if (n + more > b.length) {
      b = Arrays.copyOf(b, Math.max(n + more, b.length * 2));
    }
  }

  void put(byte x) {
    ensure(1);
    b[n++] = x;
  }

  void putBE64(long x) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      b[n++] = (byte) (x >>> (8 * i));
    }
  }

  void putDouble(double d) {
    putBE64(Double.doubleToRawLongBits(d));
  }

  void putUvarint(long x) {
    ensure(10);
    while (Long.compareUnsigned(x, 0x80) >= 0) {
      b[n++] = (byte) (x | 0x80);
      x >>>= 7;
    }
    b[n++] = (byte) x;
  }

  void putVarint(long x) {
    putUvarint((x << 1) ^ (x >> 63));
  }

  void putString(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    putUvarint(bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, b, n, bytes.length);
    n += bytes.length;
  }

  byte[] toArray() {
    return Arrays.copyOf(b, n);
  }
}
