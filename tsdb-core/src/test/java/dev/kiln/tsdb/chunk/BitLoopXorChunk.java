package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.storage.SampleIterator;
import java.util.Arrays;

/**
 * The XOR chunk writer as it was before bits were written in 8-byte words: every write goes bit
 * group by bit group through the byte array. Kept as the reference that {@link XorChunk}'s word
 * writes must match byte for byte, trailing-zero-byte quirk included.
 */
final class BitLoopXorChunk implements Chunk, ChunkAppender {
  private static final int HEADER_BITS = 16;
  private static final int INITIAL_CAPACITY = 32;
  private static final byte NO_WINDOW = (byte) 0xff;

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
  public BitLoopXorChunk() {
    this.buf = new byte[INITIAL_CAPACITY];
    this.bitLen = HEADER_BITS;
    this.appendable = true;
  }

  private BitLoopXorChunk(byte[] data) {
    this.buf = data;
    this.bitLen = data.length * 8;
    this.appendable = false;
  }

  /**
   * Wraps stored bytes (header included). The array is owned by the chunk afterwards.
   *
   * @throws IllegalArgumentException when the data cannot hold the 2-byte header
   */
  static BitLoopXorChunk fromBytes(byte[] data) {
    if (data.length < 2) {
      throw new IllegalArgumentException("XOR chunk too short: " + data.length + " bytes");
    }
    return new BitLoopXorChunk(data);
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
    return new BitLoopXorChunk(bytes());
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
        writeBits(0b10, 2);
        writeBits(dod, 14);
      } else if (bitRange(dod, 17)) {
        writeBits(0b110, 3);
        writeBits(dod, 17);
      } else if (bitRange(dod, 20)) {
        writeBits(0b1110, 4);
        writeBits(dod, 20);
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
    writeBit(true);
    int lead = Long.numberOfLeadingZeros(delta);
    int trail = Long.numberOfTrailingZeros(delta);
    if (lead >= 32) {
      lead = 31;
    }
    if (leading != NO_WINDOW && lead >= leading && trail >= trailing) {
      writeBit(false);
      writeBits(delta >>> trailing, 64 - leading - trailing);
    } else {
      leading = (byte) lead;
      trailing = (byte) trail;
      writeBit(true);
      writeBits(lead, 5);
      int sigbits = 64 - lead - trail;
      writeBits(sigbits, 6); // 64 is written as 0 (only the low 6 bits are kept)
      writeBits(delta >>> trail, sigbits);
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

  /** Writes the {@code nbits} low bits of {@code u}, most significant first. */
  private void writeBits(long u, int nbits) {
    boolean wholeBytesAligned = nbits >= 8 && (nbits & 7) == 0 && (bitLen & 7) == 0;
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
