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
