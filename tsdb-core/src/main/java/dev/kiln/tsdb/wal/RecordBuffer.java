package dev.kiln.tsdb.wal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the encoding primitives of Prometheus's WAL records. Reusable:
 * {@link #clear} keeps the array for the next record.
 */
final class RecordBuffer {
  private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
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
    BE64.set(b, n, x);
    n += 8;
  }

  /** Makes room for {@code more} bytes ahead, so that the unchecked puts below may follow. */
  void reserve(int more) {
    ensure(more);
  }

  /** A uvarint without a capacity check: call {@link #reserve} first (10 bytes at most). */
  void putUvarintUnchecked(long x) {
    byte[] a = b;
    int i = n;
    while (Long.compareUnsigned(x, 0x80) >= 0) {
      a[i++] = (byte) (x | 0x80);
      x >>>= 7;
    }
    a[i++] = (byte) x;
    n = i;
  }

  /** A big-endian 64-bit value without a capacity check: call {@link #reserve} first. */
  void putBE64Unchecked(long x) {
    BE64.set(b, n, x);
    n += 8;
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

  /** Forgets the contents, keeping the array. */
  void clear() {
    n = 0;
  }

  /** The backing array; its first {@link #length} bytes are the contents. */
  byte[] array() {
    return b;
  }

  int length() {
    return n;
  }

  byte[] toArray() {
    return Arrays.copyOf(b, n);
  }
}
