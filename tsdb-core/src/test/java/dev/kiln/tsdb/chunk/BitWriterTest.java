package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BitWriter} against a bit-at-a-time oracle: random sequences of single bits, bit fields of
 * 1 to 64 bits, bytes and prefixed writes give the same bytes and the same length, including
 * Prometheus's trailing zero byte after a byte-aligned write of whole bytes. Seeded.
 */
class BitWriterTest {
  /** The oracle: one bit at a time into a boolean list, with bstream's length rule. */
  private static final class Oracle {
    final boolean[] bits = new boolean[1 << 16];
    int len;
    boolean trailing;

    Oracle(int headerBytes) {
      len = headerBytes * 8;
    }

    void write(long u, int n) {
      boolean aligned = n >= 8 && (n & 7) == 0 && (len & 7) == 0;
      for (int i = n - 1; i >= 0; i--) {
        bits[len++] = ((u >>> i) & 1) != 0;
      }
      trailing = aligned;
    }

    int length() {
      return trailing ? (len >>> 3) + 1 : (len + 7) >>> 3;
    }

    byte[] bytes() {
      byte[] b = new byte[length()];
      for (int i = 0; i < len; i++) {
        if (bits[i]) {
          b[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
      }
      return b;
    }
  }

  @Test
  void matchesBitAtATimeOracle() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int round = 0; round < 300; round++) {
      BitWriter w = new BitWriter(3, 1 + r.nextInt(64));
      Oracle o = new Oracle(3);
      for (int op = 0; op < 400; op++) {
        long u = r.nextLong();
        switch (r.nextInt(4)) {
          case 0 -> {
            boolean bit = r.nextBoolean();
            w.writeBit(bit);
            o.write(bit ? 1 : 0, 1);
            o.trailing = false;
          }
          case 1 -> {
            int n = 1 + r.nextInt(64);
            w.writeBits(u, n);
            o.write(u, n);
          }
          case 2 -> {
            w.writeByte((int) u);
            o.write(u & 0xff, 8);
          }
          default -> {
            int pn = 1 + r.nextInt(8);
            int n = r.nextInt(4) == 0 ? 64 : 1 + r.nextInt(56);
            long prefix = (1L << pn) - 2;
            w.writePrefixed(prefix, pn, u, n);
            // Two writes as the doc says; the trailing byte follows the payload write.
            o.write(prefix, pn);
            o.write(u, n);
          }
        }
        String msg = "seed " + seed + " round " + round + " op " + op;
        assertEquals(o.length(), w.length(), msg);
        assertArrayEquals(o.bytes(), Arrays.copyOf(w.buffer(), w.length()), msg);
      }
    }
  }

  @Test
  void bufferHoldsTheTrailingZeroByteOfAWholeByteWrite() {
    for (int capacity = 1; capacity <= 24; capacity++) {
      for (int header = 1; header <= 3; header++) {
        BitWriter w = new BitWriter(header, capacity);
        w.writeBits(0x0123456789abcdefL, 64);
        assertEquals(header + 9, w.length(), "header " + header + ", capacity " + capacity);
        assertTrue(w.buffer().length >= w.length(), "header " + header + ", capacity " + capacity);
      }
    }
  }
}
