package dev.kiln.tsdb.chunk;

/**
 * Prometheus's variable bit-width integers ({@code tsdb/chunkenc/varbit.go}): a unary prefix of
 * up to eight 1 bits closed by a 0 selects a payload of 0, 3, 6, 9, 12, 18, 25, 56 or 64 bits.
 * Signed payloads of {@code n} bits hold {@code [-(2^(n-1)-1), 2^(n-1)]}; unsigned ones {@code
 * [0, 2^n-1]}.
 */
final class Varbit {
  private static final int[] SIZES = {0, 3, 6, 9, 12, 18, 25, 56, 64};

  private Varbit() {}

  static void putInt(BitWriter w, long v) {
    if (v == 0) {
      w.writeBit(false);
    } else if (bitRange(v, 3)) {
      w.writePrefixed(0b10, 2, v, 3);
    } else if (bitRange(v, 6)) {
      w.writePrefixed(0b110, 3, v, 6);
    } else if (bitRange(v, 9)) {
      w.writePrefixed(0b1110, 4, v, 9);
    } else if (bitRange(v, 12)) {
      w.writePrefixed(0b11110, 5, v, 12);
    } else if (bitRange(v, 18)) {
      w.writePrefixed(0b111110, 6, v, 18);
    } else if (bitRange(v, 25)) {
      w.writePrefixed(0b1111110, 7, v, 25);
    } else if (bitRange(v, 56)) {
      w.writePrefixed(0b11111110, 8, v, 56);
    } else {
      w.writeBits(0b11111111, 8);
      w.writeBits(v, 64);
    }
  }

  static void putUint(BitWriter w, long v) {
    if (v == 0) {
      w.writeBit(false);
      return;
    }
    int lz = Long.numberOfLeadingZeros(v);
    for (int i = 1; i < SIZES.length - 1; i++) {
      if (lz >= 64 - SIZES[i]) {
        w.writePrefixed((1L << (i + 1)) - 2, i + 1, v, SIZES[i]); // i ones and a zero
        return;
      }
    }
    w.writeBits(0b11111111, 8);
    w.writeBits(v, 64);
  }

  static long readInt(BitReader r) {
    long fast = r.tryReadVarbit(SIZES);
    if (fast >= 0) {
      // Prefix and payload were in the reader's window (payloads of up to 25 bits).
      int sz = (int) (fast & 0xff);
      long bits = fast >>> 8;
      return sz != 0 && bits > (1L << (sz - 1)) ? bits - (1L << sz) : bits;
    }
    int sz = SIZES[prefix(r)];
    if (sz == 0) {
      return 0;
    }
    long bits = r.readBits(sz);
    if (sz == 64) {
      return bits;
    }
    if (bits > (1L << (sz - 1))) {
      bits -= 1L << sz;
    }
    return bits;
  }

  static long readUint(BitReader r) {
    long fast = r.tryReadVarbit(SIZES);
    if (fast >= 0) {
      return fast >>> 8;
    }
    int sz = SIZES[prefix(r)];
    return sz == 0 ? 0 : r.readBits(sz);
  }

  /** Number of leading 1 bits (at most 8), consuming the closing 0 when there is one. */
  private static int prefix(BitReader r) {
    return r.readOnes(8);
  }

  /** Whether {@code x} fits a signed payload of {@code nbits}, as Prometheus's bitRange. */
  static boolean bitRange(long x, int nbits) {
    return -((1L << (nbits - 1)) - 1) <= x && x <= 1L << (nbits - 1);
  }
}
