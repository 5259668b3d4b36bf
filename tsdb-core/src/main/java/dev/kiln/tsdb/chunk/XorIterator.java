package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes an {@link XorChunk} (see its layout). Single-thread. A truncated or corrupt stream
 * throws {@link StorageException} from {@link #next()}; the bytes are never modified.
 */
public final class XorIterator implements SampleIterator {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] data;
  /** Position of the next unread bit, counted from the start of {@code data}. */
  private long bitPos;
  /** Bit position of the end of the chunk. */
  private long endBit;

  private int numTotal;
  private int numRead;
  private boolean exhausted;
  private long t;
  private long vBits;
  private long tDelta;
  private int leading;
  private int trailing;

  /** A buffer only this iterator hands out, for chunks copied in before a {@link #reset}. */
  private byte[] own;

  /** Iterates the chunk stored in {@code data[offset, offset+length)}, header included. */
  public XorIterator(byte[] data, int offset, int length) {
    reset(data, offset, length);
  }

  /** An iterator over no samples, to be {@link #reset} onto a chunk. */
  public XorIterator() {
    this.exhausted = true;
  }

  /**
   * A buffer of at least {@code n} bytes that belongs to this iterator (the same one each time
   * while it is large enough, contents kept only until it grows), for a reader that copies a
   * chunk from elsewhere and then calls {@link #reset} on it. Once reset onto it, the iterator
   * reads it until the next reset, so the caller must not write it in between. It has 8 bytes
   * more than asked for, which keeps the reads near the chunk's end on the fast path.
   */
  public byte[] ownBuffer(int n) {
    if (own == null || own.length < n + 8) {
      own = new byte[Math.max(n + 8, own == null ? 256 : own.length * 2)];
    }
    return own;
  }

  /** Repositions this iterator at the start of another chunk. */
  public void reset(byte[] data, int offset, int length) {
    if (length < 2) {
      throw new StorageException("XOR chunk too short: " + length + " bytes");
    }
    this.data = data;
    this.numTotal = ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    this.bitPos = (offset + 2) * 8L;
    this.endBit = ((long) offset + length) * 8L;
    this.numRead = 0;
    this.exhausted = false;
    this.t = Long.MIN_VALUE;
    this.vBits = 0;
    this.tDelta = 0;
    this.leading = 0;
    this.trailing = 0;
  }

  @Override
  public ValueType next() {
    if (numRead == numTotal) {
      exhausted = true;
      return ValueType.NONE;
    }
    if (numRead == 0) {
      long zz = readUvarint();
      t = (zz >>> 1) ^ -(zz & 1);
      vBits = readBits(64);
      numRead++;
      return ValueType.FLOAT;
    }
    if (numRead == 1) {
      tDelta = readUvarint();
      t += tDelta;
      vBits = readValue(vBits);
      numRead++;
      return ValueType.FLOAT;
    }
    tDelta += readDod();
    t += tDelta;
    vBits = readValue(vBits);
    numRead++;
    return ValueType.FLOAT;
  }

  /**
   * Decodes the following samples in one loop; the time check comes before a sample's value is
   * read, so a sample past {@code maxt} is given back by restoring the bit position alone.
   */
  @Override
  public int nextFloats(long maxt, long[] ts, double[] vs, int off, int len) {
    if (numRead < 2 || exhausted) {
      return 0;
    }
    int todo = Math.min(len, numTotal - numRead);
    long t = this.t;
    long tDelta = this.tDelta;
    long vBits = this.vBits;
    int n = 0;
    while (n < todo) {
      long p = bitPos;
      long w = word(p) << (p & 7);
      long d;
      if (w >= 0 && p < endBit) {
        // Delta-of-delta 0 (one bit), the usual case: the value's control bits and, when it
        // reuses the previous window, its bits are in the same word.
        d = tDelta;
        if (t + d > maxt) {
          break;
        }
        long v = w << 1;
        if (v >= 0) {
          advanceTo(p + 2);
        } else if ((v << 1) >= 0 && 64 - leading - trailing <= 54) {
          int mbits = 64 - leading - trailing;
          advanceTo(p + 3 + mbits);
          vBits ^= ((v << 2) >>> (64 - mbits)) << trailing;
        } else {
          bitPos = p + 1;
          vBits = readValue(vBits);
        }
      } else {
        d = tDelta + readDod();
        if (t + d > maxt) {
          bitPos = p;
          break;
        }
        vBits = readValue(vBits);
      }
      tDelta = d;
      t += d;
      ts[off + n] = t;
      vs[off + n] = Double.longBitsToDouble(vBits);
      n++;
      numRead++;
    }
    this.t = t;
    this.tDelta = tDelta;
    this.vBits = vBits;
    return n;
  }

  @Override
  public ValueType seek(long target) {
    if (exhausted) {
      return ValueType.NONE;
    }
    while (numRead == 0 || target > t) {
      if (next() == ValueType.NONE) {
        return ValueType.NONE;
      }
    }
    return ValueType.FLOAT;
  }

  @Override
  public long atT() {
    return t;
  }

  @Override
  public double atV() {
    return Double.longBitsToDouble(vBits);
  }

  /** Number of samples in the chunk being iterated. */
  public int numSamples() {
    return numTotal;
  }

  /** Reads a delta-of-delta: a unary bucket prefix of up to four bits, then its bits. */
  private long readDod() {
    long p = bitPos;
    // At least the 57 bits from p on are in w (past the chunk's end they are not the chunk's).
    long w = word(p) << (p & 7);
    int ones = Math.min(4, Long.numberOfLeadingZeros(~w));
    if (ones == 0) {
      advanceTo(p + 1);
      return 0;
    }
    if (ones == 4) {
      advanceTo(p + 4);
      return readBits(64);
    }
    int sz = ones == 1 ? 14 : ones == 2 ? 17 : 20;
    advanceTo(p + ones + 1 + sz);
    long bits = (w << (ones + 1)) >>> (64 - sz);
    if (bits > (1L << (sz - 1))) {
      bits -= 1L << sz;
    }
    return bits;
  }

  /** Reads one XOR-encoded value against the previous value's bits; returns the new bits. */
  private long readValue(long prev) {
    long p = bitPos;
    long w = word(p) << (p & 7);
    if (w >= 0) {
      advanceTo(p + 1);
      return prev;
    }
    int mbits;
    int skip;
    if ((w << 1) >= 0) {
      skip = 2;
      mbits = 64 - leading - trailing;
    } else {
      advanceTo(p + 13);
      int header = (int) ((w << 2) >>> 53);
      leading = header >>> 6;
      mbits = header & 63;
      if (mbits == 0) {
        mbits = 64;
      }
      trailing = 64 - leading - mbits;
      if (trailing < 0) {
        throw corrupt("significant bits overflow");
      }
      skip = 13;
    }
    if (skip + mbits <= 57) {
      advanceTo(p + skip + mbits);
      return prev ^ (((w << skip) >>> (64 - mbits)) << trailing);
    }
    bitPos = p + skip;
    return prev ^ (readBits(mbits) << trailing);
  }

  private long readUvarint() {
    long x = 0;
    int shift = 0;
    for (int i = 0; i < 10; i++) {
      long b = readBits(8);
      if (b < 0x80) {
        if (i == 9 && b > 1) {
          throw corrupt("varint overflows 64 bits");
        }
        return x | (b << shift);
      }
      x |= (b & 0x7f) << shift;
      shift += 7;
    }
    throw corrupt("varint overflows 64 bits");
  }

  // The bit reading below is XorIterator's own: reading through a BitReader field cost 20 to 35 %
  // in XorChunkBenchmark.decode (the float decode loop of every query), while the histogram
  // iterators, which do far more work per bit, use BitReader. Each read takes the 8 bytes around
  // the bit position in one unaligned load instead of refilling a bit buffer, so a value that
  // straddles two words costs no branch or second load.

  /** Moves the read position to {@code p}; a position past the chunk's end means it is cut off. */
  private void advanceTo(long p) {
    if (p > endBit) {
      throw corrupt("unexpected end of chunk");
    }
    bitPos = p;
  }

  /** Reads the next {@code nbits} bits (1 to 64) as an unsigned number. */
  private long readBits(int nbits) {
    long p = bitPos;
    if (nbits > 57) {
      long hi = readBits(nbits - 32);
      return (hi << 32) | readBits(32);
    }
    advanceTo(p + nbits);
    return (word(p) << (p & 7)) >>> (64 - nbits);
  }

  /** The 8 bytes from the one holding bit {@code p}, big-endian; bytes past the array read as 0. */
  private long word(long p) {
    int i = (int) (p >>> 3);
    int last = data.length - 8;
    if (i <= last) {
      return (long) LONG_BE.get(data, i);
    }
    if (i >= data.length) {
      return 0;
    }
    if (last >= 0) {
      // The array's last 8 bytes, moved up so that byte i comes first.
      return (long) LONG_BE.get(data, last) << ((i - last) << 3);
    }
    long w = 0;
    for (int k = i; k < i + 8; k++) {
      w = (w << 8) | (k < data.length ? data[k] & 0xff : 0);
    }
    return w;
  }

  private StorageException corrupt(String what) {
    return new StorageException(
        "corrupt XOR chunk: " + what + " at sample " + numRead + " of " + numTotal);
  }
}
