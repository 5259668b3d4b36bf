package dev.kiln.tsdb.chunk;

/**
 * Gorilla XOR encoding of one float field of a histogram chunk ({@code xorWrite}/{@code xorRead}
 * in Prometheus's {@code tsdb/chunkenc/xor.go}), with the window kept by the caller as a packed
 * int: {@code leading << 8 | trailing}, or {@link #NO_WINDOW} before the first windowed write.
 */
final class XorValues {
  /** The window state of a field whose previous value was written raw. */
  static final int NO_WINDOW = 0xff00;

  private XorValues() {}

  /** Writes {@code newBits} against {@code oldBits}; returns the new window. */
  static int write(BitWriter w, long newBits, long oldBits, int window) {
    long delta = newBits ^ oldBits;
    if (delta == 0) {
      w.writeBit(false);
      return window;
    }
    w.writeBit(true);
    int lead = Long.numberOfLeadingZeros(delta);
    int trail = Long.numberOfTrailingZeros(delta);
    if (lead >= 32) {
      lead = 31;
    }
    int leading = window >>> 8;
    int trailing = window & 0xff;
    if (window != NO_WINDOW && lead >= leading && trail >= trailing) {
      w.writeBit(false);
      w.writeBits(delta >>> trailing, 64 - leading - trailing);
      return window;
    }
    w.writeBit(true);
    w.writeBits(lead, 5);
    int sigbits = 64 - lead - trail;
    w.writeBits(sigbits, 6); // 64 is written as 0
    w.writeBits(delta >>> trail, sigbits);
    return (lead << 8) | trail;
  }

  /**
   * Reads one XOR-encoded value into {@code bits[i]}, which holds the previous value's bits, with
   * {@code windows[i]} as its window (a reader's window starts at 0, as Prometheus's does).
   */
  static void read(BitReader r, long[] bits, int[] windows, int i) {
    if (!r.readBit()) {
      return;
    }
    int leading;
    int trailing;
    if (r.readBit()) {
      leading = (int) r.readBits(5);
      int mbits = (int) r.readBits(6);
      if (mbits == 0) {
        mbits = 64;
      }
      trailing = 64 - leading - mbits;
      if (trailing < 0) {
        throw r.corrupt("significant bits overflow");
      }
      windows[i] = (leading << 8) | trailing;
    } else {
      leading = windows[i] >>> 8;
      trailing = windows[i] & 0xff;
    }
    int mbits = 64 - leading - trailing;
    bits[i] ^= r.readBits(mbits) << trailing;
  }
}
