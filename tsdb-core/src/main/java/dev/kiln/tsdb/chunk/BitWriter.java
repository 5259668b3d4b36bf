package dev.kiln.tsdb.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable bit stream written most significant bit first, reproducing the byte lengths of
 * Prometheus's {@code tsdb/chunkenc/bstream.go}: a write of whole bytes (8, 16, ... or 64 bits)
 * that starts on a byte boundary leaves one zero byte after the stream, because {@code writeByte}
 * appends the byte that would receive the next bits. Used by the histogram chunk encodings; the
 * XOR chunk keeps its own inlined writer.
 *
 * <p>Not thread-safe. The first {@code headerBytes} bytes are left for the chunk header.
 */
final class BitWriter {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] buf;
  private int bitLen;
  private boolean trailingZeroByte;

  BitWriter(int headerBytes, int capacity) {
    buf = new byte[Math.max(headerBytes, capacity)];
    bitLen = headerBytes * 8;
  }

  /** Number of bits written, header included. */
  int bitLength() {
    return bitLen;
  }

  /** The backing array; bytes past {@link #length()} are zero. */
  byte[] buffer() {
    return buf;
  }

  /** Stream length in bytes, as Prometheus's {@code bstream.bytes()} would report it. */
  int length() {
    return trailingZeroByte ? (bitLen >>> 3) + 1 : (bitLen + 7) >>> 3;
  }

  /** Grows the backing array to at least {@code bytes} bytes. */
  void reserve(int bytes) {
    if (buf.length < bytes) {
      buf = Arrays.copyOf(buf, bytes);
    }
  }

  /** Shrinks the backing array to {@link #length()}. */
  void compact() {
    int len = length();
    if (buf.length > len) {
      buf = Arrays.copyOf(buf, len);
    }
  }

  void writeBit(boolean bit) {
    ensureCapacity(bitLen + 1);
    if (bit) {
      buf[bitLen >>> 3] |= (byte) (0x80 >>> (bitLen & 7));
    }
    bitLen++;
    trailingZeroByte = false;
  }

  /** Writes the {@code nbits} (1..64) low bits of {@code u}, most significant first. */
  void writeBits(long u, int nbits) {
    boolean wholeBytesAligned = nbits >= 8 && (nbits & 7) == 0 && (bitLen & 7) == 0;
    int shift = 64 - (bitLen & 7) - nbits;
    if (shift >= 0) {
      // One big-endian 8-byte read-modify-write: bytes past the stream are zero, so OR-ing the
      // bits in at their position is the whole write. The capacity also keeps the byte after the
      // stream, which length() counts after a whole-byte write.
      int at = bitLen >>> 3;
      ensureCapacity((at + 9) * 8);
      long mask = nbits == 64 ? -1L : (1L << nbits) - 1;
      LONG_BE.set(buf, at, (long) LONG_BE.get(buf, at) | ((u & mask) << shift));
      bitLen += nbits;
      trailingZeroByte = wholeBytesAligned;
      return;
    }
    ensureCapacity(bitLen + nbits + 8);
    int remaining = nbits;
    while (remaining > 0) {
      int free = 8 - (bitLen & 7);
      int take = Math.min(free, remaining);
      int bits = (int) ((u >>> (remaining - take)) & ((1 << take) - 1));
      buf[bitLen >>> 3] |= (byte) (bits << (free - take));
      bitLen += take;
      remaining -= take;
    }
    trailingZeroByte = wholeBytesAligned;
  }

  /**
   * Writes {@code prefixBits} bits of {@code prefix} then {@code payloadBits} low bits of {@code
   * payload}, with the same result (trailing-byte quirk included) as two {@link #writeBits} calls.
   */
  void writePrefixed(long prefix, int prefixBits, long payload, int payloadBits) {
    int total = prefixBits + payloadBits;
    if (total > 64) {
      writeBits(prefix, prefixBits);
      writeBits(payload, payloadBits);
      return;
    }
    long mask = payloadBits == 64 ? -1L : (1L << payloadBits) - 1;
    boolean payloadAligned = ((bitLen + prefixBits) & 7) == 0;
    writeBits((prefix << payloadBits) | (payload & mask), total);
    trailingZeroByte = payloadBits >= 8 && (payloadBits & 7) == 0 && payloadAligned;
  }

  void writeByte(int b) {
    writeBits(b & 0xff, 8);
  }

  private void ensureCapacity(int bits) {
    int bytes = (bits + 7) >>> 3;
    if (bytes > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(bytes, buf.length * 2));
    }
  }
}
