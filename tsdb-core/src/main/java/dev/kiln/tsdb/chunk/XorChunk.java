package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.storage.SampleIterator;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Gorilla-style XOR chunk, bit-compatible with Prometheus's {@code tsdb/chunkenc/xor.go}.
 *
 * <p>Layout (see {@code docs/storage.md}): a 2-byte big-endian sample count, then a bit stream
 * written most significant bit first:
 *
 * <ul>
 *   <li>sample 0: timestamp as a signed (zig-zag) varint, value as 64 raw bits;
 *   <li>sample 1: timestamp delta as an unsigned varint, value XOR-encoded;
 *   <li>sample n: delta-of-delta {@code dod} of the timestamp: {@code 0} for 0, {@code 10}+14
 *       bits, {@code 110}+17 bits, {@code 1110}+20 bits, or {@code 1111}+64 bits, where a bucket
 *       of {@code n} bits holds values in {@code [-(2^(n-1)-1), 2^(n-1)]}; then the XOR value.
 * </ul>
 *
 * <p>XOR value: {@code 0} when equal to the previous value; else {@code 1}, then {@code 0} and
 * the significant bits when they fit in the previous window, or {@code 1}, 5 bits of leading
 * zeros (capped at 31), 6 bits of significant-bit count (64 written as 0) and the significant
 * bits. Prometheus's byte-stream quirk is reproduced: a write of whole bytes that ends on a byte
 * boundary leaves one zero byte after the stream, so chunk lengths match byte for byte.
 *
 * <p>This class is also the chunk's appender ({@link #appender()} returns {@code this}) to keep
 * the per-series footprint of the head small. Not thread-safe; see {@link Chunk}.
 */
public final class XorChunk implements Chunk, ChunkAppender {
  private static final int HEADER_BITS = 16;
  private static final int INITIAL_CAPACITY = 32;
  private static final byte NO_WINDOW = (byte) 0xff;
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] buf;
  /** Bits written, header included. */
  private int bitLen;
  /** True when the stream ends with the zero byte Prometheus appends after a whole-byte write. */
  private boolean trailingZeroByte;
  /** False for chunks wrapped from bytes until an appender re-derives the state. */
  private boolean appendable;

  private long lastT;
  private long lastVBits;
  private long lastTDelta;
  private byte leading = NO_WINDOW;
  private byte trailing;

  /**
   * Reads the byte the next append writes and returns it; callers use it to bring a chunk into
   * the cache ahead of appending. Safe without synchronization: it only reads, and a racing
   * append at worst makes it read another byte of the chunk.
   */
  public int touch() {
    byte[] b = buf;
    return b[Math.min(bitLen >>> 3, b.length - 1)];
  }

  /** Creates an empty chunk ready for appending. */
  public XorChunk() {
    this.buf = new byte[INITIAL_CAPACITY];
    this.bitLen = HEADER_BITS;
    this.appendable = true;
  }

  private XorChunk(byte[] data) {
    this.buf = data;
    this.bitLen = data.length * 8;
    this.appendable = false;
  }

  /**
   * Wraps stored bytes (header included). The array is owned by the chunk afterwards.
   *
   * @throws IllegalArgumentException when the data cannot hold the 2-byte header
   */
  public static XorChunk fromBytes(byte[] data) {
    if (data.length < 2) {
      throw new IllegalArgumentException("XOR chunk too short: " + data.length + " bytes");
    }
    return new XorChunk(data);
  }

  @Override
  public ChunkEncoding encoding() {
    return ChunkEncoding.XOR;
  }

  @Override
  public int length() {
    if (!appendable) {
      return buf.length;
    }
    return trailingZeroByte ? (bitLen >>> 3) + 1 : (bitLen + 7) >>> 3;
  }

  @Override
  public byte[] bytes() {
    return Arrays.copyOf(buf, length());
  }

  @Override
  public int numSamples() {
    return ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
  }

  @Override
  public SampleIterator iterator(SampleIterator reuse) {
    if (reuse instanceof XorIterator it) {
      it.reset(buf, 0, length());
      return it;
    }
    return new XorIterator(buf, 0, length());
  }

  @Override
  public ChunkAppender appender() {
    if (!appendable) {
      reencode();
    }
    return this;
  }

  @Override
  public Chunk snapshot() {
    return new XorChunk(bytes());
  }

  /** Shrinks the backing array to the chunk's length; call once the chunk is complete. */
  public void compact() {
    int len = length();
    if (buf.length > len) {
      buf = Arrays.copyOf(buf, len);
    }
  }

  /** Approximate heap footprint in bytes of this chunk (object plus backing array). */
  public long heapBytes() {
    return 48 + 16 + buf.length;
  }

  @Override
  public void append(long t, double v) {
    if (!appendable) {
      reencode();
    }
    int num = numSamples();
    long vBits = Double.doubleToRawLongBits(v);
    long tDelta = 0;
    if (num == 0) {
      writeVarint(t);
      writeBits(vBits, 64);
    } else if (num == 1) {
      tDelta = t - lastT;
      writeUvarint(tDelta);
      writeValue(vBits);
    } else {
      tDelta = t - lastT;
      long dod = tDelta - lastTDelta;
      if (dod == 0) {
        writeBit(false);
      } else if (bitRange(dod, 14)) {
        writePrefixed(0b10, 2, dod, 14);
      } else if (bitRange(dod, 17)) {
        writePrefixed(0b110, 3, dod, 17);
      } else if (bitRange(dod, 20)) {
        writePrefixed(0b1110, 4, dod, 20);
      } else {
        writeBits(0b1111, 4);
        writeBits(dod, 64);
      }
      writeValue(vBits);
    }
    lastT = t;
    lastVBits = vBits;
    lastTDelta = tDelta;
    num++;
    buf[0] = (byte) (num >>> 8);
    buf[1] = (byte) num;
  }

  /** Whether {@code x} fits the {@code nbits} delta-of-delta bucket, as Prometheus defines it. */
  static boolean bitRange(long x, int nbits) {
    return -((1L << (nbits - 1)) - 1) <= x && x <= 1L << (nbits - 1);
  }

  private void writeValue(long vBits) {
    long delta = vBits ^ lastVBits;
    if (delta == 0) {
      writeBit(false);
      return;
    }
    int lead = Long.numberOfLeadingZeros(delta);
    int trail = Long.numberOfTrailingZeros(delta);
    if (lead >= 32) {
      lead = 31;
    }
    if (leading != NO_WINDOW && lead >= leading && trail >= trailing) {
      writePrefixed(0b10, 2, delta >>> trailing, 64 - leading - trailing);
    } else {
      leading = (byte) lead;
      trailing = (byte) trail;
      int sigbits = 64 - lead - trail;
      // 1, 1, 5 bits of leading zeros, 6 bits of significant-bit count (64 written as 0), the bits.
      writePrefixed(0b11L << 11 | (long) lead << 6 | (sigbits & 0x3f), 13, delta >>> trail, sigbits);
    }
  }

  private void writeVarint(long x) {
    writeUvarint((x << 1) ^ (x >> 63));
  }

  private void writeUvarint(long x) {
    while (Long.compareUnsigned(x, 0x80) >= 0) {
      writeBits((x & 0x7f) | 0x80, 8);
      x >>>= 7;
    }
    writeBits(x, 8);
  }

  private void writeBit(boolean bit) {
    ensureCapacity(bitLen + 1);
    if (bit) {
      buf[bitLen >>> 3] |= (byte) (0x80 >>> (bitLen & 7));
    }
    bitLen++;
    trailingZeroByte = false;
  }

  /** Writes the {@code nbits} (0..64) low bits of {@code u}, most significant first. */
  private void writeBits(long u, int nbits) {
    boolean wholeBytesAligned = nbits >= 8 && (nbits & 7) == 0 && (bitLen & 7) == 0;
    int shift = 64 - (bitLen & 7) - nbits;
    if (shift >= 0) {
      if (nbits > 0) {
        // One big-endian 8-byte read-modify-write: bytes past the stream are zero, so OR-ing
        // the bits in at their position is the whole write. The capacity also keeps the byte
        // after the stream, which length() counts after a whole-byte write.
        int at = bitLen >>> 3;
        ensureCapacity((at + 9) * 8);
        long mask = nbits == 64 ? -1L : (1L << nbits) - 1;
        LONG_BE.set(buf, at, (long) LONG_BE.get(buf, at) | ((u & mask) << shift));
        bitLen += nbits;
      }
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
   * Writes {@code prefixBits} bits of {@code prefix} then {@code payloadBits} (1..64) low bits of
   * {@code payload}, with the same result (trailing-byte quirk included) as two {@link
   * #writeBits} calls.
   */
  private void writePrefixed(long prefix, int prefixBits, long payload, int payloadBits) {
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

  private void ensureCapacity(int bits) {
    int bytes = (bits + 7) >>> 3;
    if (bytes > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(bytes, buf.length + (buf.length >>> 1)));
    }
  }

  /** Rebuilds the writer state of a wrapped chunk by encoding its samples again. */
  private void reencode() {
    XorIterator it = new XorIterator(buf, 0, buf.length);
    int n = numSamples();
    long[] ts = new long[n];
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) {
      it.next();
      ts[i] = it.atT();
      vs[i] = it.atV();
    }
    buf = new byte[Math.max(INITIAL_CAPACITY, buf.length + 16)];
    bitLen = HEADER_BITS;
    trailingZeroByte = false;
    leading = NO_WINDOW;
    trailing = 0;
    appendable = true;
    for (int i = 0; i < n; i++) {
      append(ts[i], vs[i]);
    }
  }
}
