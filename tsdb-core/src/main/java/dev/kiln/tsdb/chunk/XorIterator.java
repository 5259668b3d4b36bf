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
  private int pos;
  private int end;
  private long buffer;
  private int valid;

  private int numTotal;
  private int numRead;
  private boolean exhausted;
  private long t;
  private long vBits;
  private long tDelta;
  private int leading;
  private int trailing;

  /** Iterates the chunk stored in {@code data[offset, offset+length)}, header included. */
  public XorIterator(byte[] data, int offset, int length) {
    reset(data, offset, length);
  }

  /** Repositions this iterator at the start of another chunk. */
  public void reset(byte[] data, int offset, int length) {
    if (length < 2) {
      throw new StorageException("XOR chunk too short: " + length + " bytes");
    }
    this.data = data;
    this.numTotal = ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    this.pos = offset + 2;
    this.end = offset + length;
    this.buffer = 0;
    this.valid = 0;
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
      int savedPos = pos;
      long savedBuffer = buffer;
      int savedValid = valid;
      long d = tDelta + readDod();
      if (t + d > maxt) {
        pos = savedPos;
        buffer = savedBuffer;
        valid = savedValid;
        break;
      }
      tDelta = d;
      t += d;
      vBits = readValue(vBits);
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

  private long readSigned(int sz) {
    long bits = readBits(sz);
    if (bits > (1L << (sz - 1))) {
      bits -= 1L << sz;
    }
    return bits;
  }

  /** Reads a delta-of-delta: a unary bucket prefix of up to four bits, then its bits. */
  private long readDod() {
    int ones;
    if (valid >= 4) {
      // The prefix is in the buffer: count its leading ones at once.
      int prefix = (int) (buffer >>> (valid - 4)) & 0xf;
      ones = Integer.numberOfLeadingZeros(~(prefix << 28));
      valid -= ones == 4 ? 4 : ones + 1;
    } else {
      ones = 0;
      while (ones < 4 && readBit()) {
        ones++;
      }
    }
    switch (ones) {
      case 0:
        return 0;
      case 1:
        return readSigned(14);
      case 2:
        return readSigned(17);
      case 3:
        return readSigned(20);
      default:
        return readBits(64);
    }
  }

  /** Reads one XOR-encoded value against the previous value's bits; returns the new bits. */
  private long readValue(long prev) {
    boolean newWindow;
    if (valid >= 2) {
      int control = (int) (buffer >>> (valid - 2)) & 3;
      if (control < 2) {
        valid--;
        return prev;
      }
      valid -= 2;
      newWindow = control == 3;
    } else {
      if (!readBit()) {
        return prev;
      }
      newWindow = readBit();
    }
    if (newWindow) {
      int header = (int) readBits(11);
      leading = header >>> 6;
      int mbits = header & 63;
      if (mbits == 0) {
        mbits = 64;
      }
      trailing = 64 - leading - mbits;
      if (trailing < 0) {
        throw corrupt("significant bits overflow");
      }
    }
    int mbits = 64 - leading - trailing;
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

  // The bit reading below repeats BitReader's on purpose: reading through a BitReader field cost
  // 20 to 35 % in XorChunkBenchmark.decode (the float decode loop of every query), while the
  // histogram iterators, which do far more work per bit, use BitReader.

  private boolean readBit() {
    if (valid == 0) {
      load();
    }
    valid--;
    return ((buffer >>> valid) & 1) != 0;
  }

  private long readBits(int nbits) {
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

  private StorageException corrupt(String what) {
    return new StorageException(
        "corrupt XOR chunk: " + what + " at sample " + numRead + " of " + numTotal);
  }
}
