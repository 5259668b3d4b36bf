package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.storage.StorageException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads a bit stream written by {@link BitWriter} (or Prometheus's {@code bstream}), most
 * significant bit first. Reading past the end throws {@link StorageException}. Not thread-safe.
 */
final class BitReader {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private final String what;
  private byte[] data;
  private int pos;
  private int end;
  private long buffer;
  private int valid;

  BitReader(String what) {
    this.what = what;
  }

  /** Positions the reader on {@code data[offset, offset+length)}. */
  void reset(byte[] data, int offset, int length) {
    this.data = data;
    this.pos = offset;
    this.end = offset + length;
    this.buffer = 0;
    this.valid = 0;
  }

  boolean readBit() {
    if (valid == 0) {
      load();
    }
    valid--;
    return ((buffer >>> valid) & 1) != 0;
  }

  /** Reads {@code nbits} (1..64) bits as an unsigned value. */
  long readBits(int nbits) {
    if (nbits <= valid) {
      valid -= nbits;
      return (buffer >>> valid) & mask(nbits);
    }
    int rest = nbits - valid;
    long v = valid == 0 ? 0 : (buffer & mask(valid)) << rest;
    valid = 0;
    load();
    if (rest > valid) {
      throw corrupt("unexpected end of chunk");
    }
    valid -= rest;
    return v | ((buffer >>> valid) & mask(rest));
  }

  /**
   * Reads a unary prefix: counts up to {@code max} (≤ 8) leading 1 bits and consumes them and, if
   * fewer than {@code max}, the closing 0 bit.
   */
  int readOnes(int max) {
    if (valid > max) {
      long window = ~(buffer << (64 - valid));
      int ones = Long.numberOfLeadingZeros(window);
      if (ones >= max) {
        valid -= max;
        return max;
      }
      valid -= ones + 1;
      return ones;
    }
    int n = 0;
    while (n < max && readBit()) {
      n++;
    }
    return n;
  }

  /**
   * Reads a varbit payload size from the window when the whole number lies in it: the unary
   * prefix of {@code k} < 7 ones and its closing 0, then {@code sizes[k]} payload bits (at most
   * 32 bits in all), topping the window up first when fewer than 32 bits are buffered. Returns
   * the payload's bits and its size as {@code (bits << 8) | size}, or -1 when fewer than 32 bits
   * are left in the chunk or the prefix is longer, having consumed nothing; callers then read the
   * number bit by bit.
   */
  long tryReadVarbit(int[] sizes) {
    if (valid < 32) {
      if (pos + 4 > end) {
        return -1;
      }
      // Top the window up with the next 4 bytes; the bits shifted out were consumed already.
      buffer = (buffer << 32) | ((int) INT_BE.get(data, pos) & 0xffff_ffffL);
      pos += 4;
      valid += 32;
    }
    long window = buffer << (64 - valid);
    int ones = Long.numberOfLeadingZeros(~window);
    if (ones >= 7) {
      return -1;
    }
    int sz = sizes[ones];
    if (sz == 0) {
      valid -= 1;
      return 0;
    }
    valid -= ones + 1 + sz;
    long bits = (window << (ones + 1)) >>> (64 - sz);
    return (bits << 8) | sz;
  }

  int readByte() {
    return (int) readBits(8);
  }

  StorageException corrupt(String message) {
    return new StorageException("corrupt " + what + " chunk: " + message);
  }

  private static long mask(int nbits) {
    return nbits == 64 ? -1L : (1L << nbits) - 1;
  }

  private void load() {
    if (pos + 8 <= end) {
      buffer = (long) LONG_BE.get(data, pos);
      pos += 8;
      valid = 64;
      return;
    }
    if (pos >= end) {
      throw corrupt("unexpected end of chunk");
    }
    long b = 0;
    int n = end - pos;
    for (int i = 0; i < n; i++) {
      b = (b << 8) | (data[pos + i] & 0xff);
    }
    buffer = b;
    valid = n * 8;
    pos = end;
  }
}
