package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link XorChunk} writes its bits in 8-byte words; after every append its bytes and length equal
 * those of the bit-group writer it replaced ({@link BitLoopXorChunk}), including the zero byte
 * Prometheus leaves after a whole-byte write that ends on a byte boundary, and also when a chunk
 * is continued from stored bytes. The seed is in every failure message.
 */
class XorChunkWordWriterTest {
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  @Test
  void bytesEqualTheBitGroupWriterAfterEveryAppend() {
    for (int round = 0; round < 3000; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      XorChunkRandomizedTest.RandomSeries s =
          new XorChunkRandomizedTest.RandomSeries(r, 1 + r.nextInt(r.nextBoolean() ? 8 : 300));
      XorChunk words = new XorChunk();
      BitLoopXorChunk bits = new BitLoopXorChunk();
      for (int i = 0; i < s.ts.length; i++) {
        words.append(s.ts[i], s.vs[i]);
        bits.append(s.ts[i], s.vs[i]);
        assertEquals(bits.length(), words.length(), "seed=" + seed + " sample " + i);
        assertArrayEquals(bits.bytes(), words.bytes(), "seed=" + seed + " sample " + i);
      }
      // The open chunk is read in place, over length() bytes of its array.
      XorChunkRandomizedTest.assertSeries(words.iterator(null), s.ts, s.vs, 0, "seed=" + seed);
      int cut = s.ts.length / 2;
      XorChunk head = new XorChunk();
      for (int i = 0; i < cut; i++) {
        head.append(s.ts[i], s.vs[i]);
      }
      ChunkAppender continued = XorChunk.fromBytes(head.bytes()).appender();
      for (int i = cut; i < s.ts.length; i++) {
        continued.append(s.ts[i], s.vs[i]);
      }
      assertArrayEquals(bits.bytes(), ((XorChunk) continued).bytes(), "seed=" + seed + " continued");
    }
  }

  /**
   * A 64-bit write that starts on a byte boundary ends the stream on one, and length() then counts
   * the zero byte after it; the open chunk is read in place, so that byte must be inside its array
   * whatever the array's size was. Every prefix length puts such a write at another position.
   */
  @Test
  void openChunkIsReadableAfterEveryWrite() {
    Random r = new Random(BASE_SEED);
    for (int round = 0; round < 4000; round++) {
      XorChunk c = new XorChunk();
      int n = 1 + r.nextInt(120);
      long[] ts = new long[n];
      double[] vs = new double[n];
      long t = r.nextInt(1000);
      for (int i = 0; i < n; i++) {
        // Mostly gaps that need the 64-bit delta-of-delta bucket, with random values.
        t += r.nextInt(3) == 0 ? 1 + r.nextInt(100) : 1L << (40 + r.nextInt(20));
        ts[i] = t;
        vs[i] = r.nextBoolean() ? Double.longBitsToDouble(r.nextLong()) : r.nextInt(4);
        c.append(ts[i], vs[i]);
      }
      XorChunkRandomizedTest.assertSeries(c.iterator(null), ts, vs, 0, "seed=" + BASE_SEED + " round " + round);
    }
  }

  @Test
  void compactedChunkKeepsItsBytes() {
    Random r = new Random(BASE_SEED);
    XorChunk c = new XorChunk();
    BitLoopXorChunk ref = new BitLoopXorChunk();
    long t = 1_700_000_000_000L;
    for (int i = 0; i < 120; i++) {
      t += 15_000 + r.nextInt(5);
      double v = r.nextInt(1000) / 10.0;
      c.append(t, v);
      ref.append(t, v);
    }
    c.compact();
    assertArrayEquals(ref.bytes(), c.bytes(), "seed=" + BASE_SEED);
    assertEquals(ref.length(), c.length(), "seed=" + BASE_SEED);
  }
}
