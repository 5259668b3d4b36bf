package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Prometheus's varbit integers ({@code tsdb/chunkenc/varbit.go}) and the bit stream's byte
 * lengths ({@code bstream.go}), against a plain bit-by-bit model of the Go writer.
 */
class VarbitTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  /** The Go bstream, bit by bit: a whole-byte write on a byte boundary leaves a zero byte. */
  static final class GoStream {
    final StringBuilder bits = new StringBuilder();
    boolean trailing;

    void write(long u, int nbits) {
      boolean aligned = bits.length() % 8 == 0;
      for (int i = nbits - 1; i >= 0; i--) {
        bits.append((u >>> i & 1) == 1 ? '1' : '0');
      }
      trailing = nbits >= 8 && nbits % 8 == 0 && aligned;
    }

    int length() {
      return trailing ? bits.length() / 8 + 1 : (bits.length() + 7) / 8;
    }
  }

  @Test
  void writePrefixedEqualsTwoWrites() {
    Random r = new Random(SEED);
    for (int round = 0; round < 2000; round++) {
      BitWriter w = new BitWriter(0, 4);
      GoStream g = new GoStream();
      int ops = 1 + r.nextInt(20);
      for (int i = 0; i < ops; i++) {
        int pb = 1 + r.nextInt(8);
        int nb = 1 + r.nextInt(64);
        long p = r.nextLong();
        long v = r.nextLong();
        if (r.nextBoolean()) {
          w.writePrefixed(p & ((1L << pb) - 1), pb, v, nb);
        } else {
          w.writeBits(p, pb);
          w.writeBits(v, nb);
        }
        g.write(p, pb);
        g.write(v, nb);
      }
      assertEquals(g.length(), w.length(), "seed " + SEED + " round " + round);
      byte[] want = new byte[g.length()];
      for (int i = 0; i < g.bits.length(); i++) {
        if (g.bits.charAt(i) == '1') {
          want[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
      }
      assertArrayEquals(want, Arrays.copyOf(w.buffer(), w.length()), "seed " + SEED + " round " + round);
    }
  }

  @Test
  void signedAndUnsignedRoundTripAtEveryBucketEdge() {
    long[] edges = {0, 1, -1, 4, -3, 5, -4, 32, -31, 33, 256, -255, 257, 2048, -2047, 2049, 131072,
        -131071, 131073, 16777216, -16777215, 16777217, 1L << 55, -(1L << 55) + 1, (1L << 55) + 1,
        Long.MAX_VALUE, Long.MIN_VALUE};
    BitWriter w = new BitWriter(0, 4);
    for (long v : edges) {
      Varbit.putInt(w, v);
      Varbit.putUint(w, v);
    }
    BitReader r = new BitReader("test");
    r.reset(w.buffer(), 0, w.length());
    for (long v : edges) {
      assertEquals(v, Varbit.readInt(r));
      assertEquals(v, Varbit.readUint(r));
    }
  }

  /** Sizes in bits per Prometheus's comments: 1, 5, 9, 13, 17, 3 bytes, 4 bytes, 8 bytes, 9 bytes. */
  @Test
  void signedWidthsMatchPrometheus() {
    long[][] cases = {{0, 1}, {4, 5}, {-3, 5}, {32, 9}, {-255, 13}, {2048, 17}, {131072, 24},
        {-16777215, 32}, {1L << 55, 64}, {Long.MIN_VALUE, 72}};
    for (long[] c : cases) {
      BitWriter w = new BitWriter(0, 4);
      Varbit.putInt(w, c[0]);
      assertEquals(c[1], w.bitLength(), "value " + c[0]);
    }
  }
}
