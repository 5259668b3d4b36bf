package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded randomized round trips of {@link XorChunk}; the seed is in every failure message. */
class XorChunkRandomizedTest {
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  /** Generates one random series: a mix of timestamp and value shapes. */
  static final class RandomSeries {
    final long[] ts;
    final double[] vs;

    RandomSeries(Random r, int n) {
      ts = new long[n];
      vs = new double[n];
      long t = r.nextInt(4) == 0 ? r.nextLong() >> r.nextInt(64) : 1_600_000_000_000L + r.nextInt();
      int tShape = r.nextInt(4);
      int vShape = r.nextInt(6);
      double v = r.nextGaussian() * 1000;
      for (int i = 0; i < n; i++) {
        ts[i] = t;
        vs[i] = v;
        long gap =
            switch (tShape) {
              case 0 -> 15_000 + r.nextInt(20) - 10; // scrape jitter
              case 1 -> 1 + r.nextInt(3); // tiny gaps
              case 2 -> 1 + (r.nextLong() >>> (1 + r.nextInt(63))); // any size incl. huge
              default -> r.nextBoolean() ? 1 : 1L << r.nextInt(40);
            };
        if (Long.MAX_VALUE - t < gap) {
          gap = 1;
        }
        t += gap;
        v =
            switch (vShape) {
              case 0 -> v; // constant
              case 1 -> v + r.nextInt(100); // counter
              case 2 -> v + r.nextGaussian(); // random-walk gauge
              case 3 -> Double.longBitsToDouble(r.nextLong()); // arbitrary bits incl. NaN payloads
              case 4 -> special(r, v);
              default -> r.nextInt(3) == 0 ? v : Math.round(r.nextDouble() * 100);
            };
      }
    }

    private static double special(Random r, double v) {
      switch (r.nextInt(9)) {
        case 0:
          return Double.NaN;
        case 1:
          return StaleNaN.VALUE;
        case 2:
          return Double.POSITIVE_INFINITY;
        case 3:
          return Double.NEGATIVE_INFINITY;
        case 4:
          return -0.0;
        case 5:
          return Double.MIN_VALUE;
        case 6:
          return Double.MAX_VALUE;
        case 7:
          return Double.longBitsToDouble(0x7ff8000000000001L); // NaN with payload
        default:
          return v;
      }
    }
  }

  @Test
  void randomSeriesRoundTripBitExact() {
    for (int round = 0; round < 2000; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      RandomSeries s = new RandomSeries(r, 1 + r.nextInt(r.nextBoolean() ? 5 : 300));
      XorChunk c = new XorChunk();
      for (int i = 0; i < s.ts.length; i++) {
        c.append(s.ts[i], s.vs[i]);
      }
      String msg = "seed=" + seed;
      assertEquals(s.ts.length, c.numSamples(), msg);
      assertSeries(c.iterator(null), s.ts, s.vs, 0, msg);
      // Stored bytes decode the same, and a chunk continued from stored bytes encodes identically.
      byte[] stored = c.bytes();
      assertEquals(c.length(), stored.length, msg);
      assertSeries(XorChunk.fromBytes(stored.clone()).iterator(null), s.ts, s.vs, 0, msg);
      int cut = s.ts.length / 2;
      if (cut > 0) {
        XorChunk first = new XorChunk();
        for (int i = 0; i < cut; i++) {
          first.append(s.ts[i], s.vs[i]);
        }
        XorChunk continued = XorChunk.fromBytes(first.bytes());
        ChunkAppender app = continued.appender();
        for (int i = cut; i < s.ts.length; i++) {
          app.append(s.ts[i], s.vs[i]);
        }
        assertArrayEquals(stored, continued.bytes(), msg);
      }
    }
  }

  /**
   * Bulk reads of random lengths and time limits, mixed with single steps and seeks, return the
   * samples bit for bit, never pass the limit, and leave the iterator on the last sample read.
   */
  @Test
  void bulkReadsMatchSingleSteps() {
    long[] ts = new long[300];
    double[] vs = new double[300];
    for (int round = 0; round < 2000; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      RandomSeries s = new RandomSeries(r, 1 + r.nextInt(r.nextBoolean() ? 5 : 300));
      XorChunk c = new XorChunk();
      for (int i = 0; i < s.ts.length; i++) {
        c.append(s.ts[i], s.vs[i]);
      }
      String msg = "seed=" + seed;
      SampleIterator it = c.iterator(null);
      assertEquals(0, it.nextFloats(Long.MAX_VALUE, ts, vs, 0, 10), msg + " before the first sample");
      int i = 0;
      ValueType vt = r.nextInt(4) == 0 ? it.seek(s.ts[i = r.nextInt(s.ts.length)]) : it.next();
      while (vt == ValueType.FLOAT) {
        assertEquals(s.ts[i], it.atT(), msg + " i=" + i);
        assertEquals(Double.doubleToRawLongBits(s.vs[i]), Double.doubleToRawLongBits(it.atV()), msg + " i=" + i);
        if (r.nextInt(3) > 0) {
          int len = 1 + r.nextInt(r.nextBoolean() ? 4 : 300);
          int off = r.nextInt(ts.length - len + 1);
          long maxt = r.nextBoolean() || i + 1 >= s.ts.length ? Long.MAX_VALUE : s.ts[i + r.nextInt(s.ts.length - i)];
          int n = it.nextFloats(maxt, ts, vs, off, len);
          int expected = 0;
          while (expected < len && i + 1 + expected < s.ts.length && s.ts[i + 1 + expected] <= maxt) {
            expected++;
          }
          // The second sample has its own encoding, so a run may start only after it.
          if (i >= 1 || n > 0) {
            assertEquals(expected, n, msg + " i=" + i + " len=" + len + " maxt=" + maxt);
          }
          for (int k = 0; k < n; k++) {
            assertEquals(s.ts[i + 1 + k], ts[off + k], msg + " bulk i=" + (i + 1 + k));
            assertEquals(Double.doubleToRawLongBits(s.vs[i + 1 + k]), Double.doubleToRawLongBits(vs[off + k]),
                msg + " bulk i=" + (i + 1 + k));
          }
          i += n;
          if (n > 0) {
            continue;
          }
        }
        vt = it.next();
        i++;
      }
      assertEquals(s.ts.length, i, msg + " every sample read");
      assertEquals(0, it.nextFloats(Long.MAX_VALUE, ts, vs, 0, 10), msg + " after the last sample");
    }
  }

  @Test
  void seekFindsFirstSampleAtOrAfterTarget() {
    for (int round = 0; round < 300; round++) {
      long seed = BASE_SEED * 31 + round;
      Random r = new Random(seed);
      RandomSeries s = new RandomSeries(r, 1 + r.nextInt(200));
      XorChunk c = new XorChunk();
      for (int i = 0; i < s.ts.length; i++) {
        c.append(s.ts[i], s.vs[i]);
      }
      SampleIterator it = c.iterator(null);
      int pos = -1;
      long cur = Long.MIN_VALUE;
      for (int step = 0; step < 20; step++) {
        long target;
        if (r.nextBoolean()) {
          target = s.ts[r.nextInt(s.ts.length)] + r.nextInt(3) - 1;
        } else {
          target = cur + r.nextInt(5) - 2;
        }
        int expected = Math.max(pos, 0);
        while (expected < s.ts.length && s.ts[expected] < target) {
          expected++;
        }
        ValueType vt = it.seek(target);
        String msg = "seed=" + seed + " target=" + target;
        if (expected == s.ts.length) {
          assertEquals(ValueType.NONE, vt, msg);
          break;
        }
        assertEquals(ValueType.FLOAT, vt, msg);
        assertEquals(s.ts[expected], it.atT(), msg);
        assertEquals(
            Double.doubleToRawLongBits(s.vs[expected]),
            Double.doubleToRawLongBits(it.atV()),
            msg);
        pos = expected;
        cur = it.atT();
      }
    }
  }

  @Test
  void iteratorIsReusedAcrossChunks() {
    XorChunk a = new XorChunk();
    a.append(1, 1);
    a.append(2, 2);
    XorChunk b = new XorChunk();
    b.append(10, StaleNaN.VALUE);
    SampleIterator it = a.iterator(null);
    assertEquals(ValueType.FLOAT, it.next());
    SampleIterator again = b.iterator(it);
    assertSame(it, again);
    assertEquals(ValueType.FLOAT, again.next());
    assertEquals(10, again.atT());
    assertEquals(StaleNaN.BITS, Double.doubleToRawLongBits(again.atV()));
    assertEquals(ValueType.NONE, again.next());
    assertEquals(ValueType.NONE, again.seek(0));
  }

  @Test
  void snapshotIsUnaffectedByLaterAppends() {
    XorChunk c = new XorChunk();
    c.append(1, 1.5);
    c.append(2, 2.5);
    Chunk snap = c.snapshot();
    c.append(3, 3.5);
    assertEquals(2, snap.numSamples());
    assertSeries(snap.iterator(null), new long[] {1, 2}, new double[] {1.5, 2.5}, 0, "");
    assertSeries(c.iterator(null), new long[] {1, 2, 3}, new double[] {1.5, 2.5, 3.5}, 0, "");
  }

  @Test
  void truncatedChunkFailsWithClearError() {
    XorChunk c = new XorChunk();
    for (int i = 0; i < 50; i++) {
      c.append(i * 1000L, i * 1.1);
    }
    byte[] b = c.bytes();
    byte[] cut = Arrays.copyOf(b, b.length / 2);
    SampleIterator it = XorChunk.fromBytes(cut).iterator(null);
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> {
              while (it.next() != ValueType.NONE) {
                // drain
              }
            });
    assertEquals(true, e.getMessage().startsWith("corrupt XOR chunk"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> XorChunk.fromBytes(new byte[1]));
  }

  /**
   * Random chunks cut at every length decode a prefix of the full chunk and then fail with the
   * chunk error (never another exception, never an early end, unless only the final padding byte
   * is cut); and a chunk read inside a larger
   * array, between random bytes, decodes exactly as on its own: no bit past the chunk's end is used.
   */
  @Test
  void cutChunksAndChunksInsideLargerArrays() {
    for (int round = 0; round < 300; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      RandomSeries s = new RandomSeries(r, 1 + r.nextInt(150));
      XorChunk c = new XorChunk();
      for (int i = 0; i < s.ts.length; i++) {
        c.append(s.ts[i], s.vs[i]);
      }
      byte[] b = c.bytes();
      int off = r.nextInt(20);
      byte[] padded = new byte[off + b.length + r.nextInt(20)];
      r.nextBytes(padded);
      System.arraycopy(b, 0, padded, off, b.length);
      assertSeries(new XorIterator(padded, off, b.length), s.ts, s.vs, 0, "seed " + seed + " inside a larger array");
      for (int len = 2; len < b.length; len++) {
        byte[] cut = new byte[off + len + r.nextInt(20)];
        r.nextBytes(cut);
        System.arraycopy(b, 0, cut, off, len);
        XorIterator it = new XorIterator(cut, off, len);
        int n = 0;
        try {
          while (it.next() == ValueType.FLOAT) {
            assertEquals(s.ts[n], it.atT(), "seed " + seed + " cut " + len);
            assertEquals(Double.doubleToRawLongBits(s.vs[n]), Double.doubleToRawLongBits(it.atV()),
                "seed " + seed + " cut " + len);
            n++;
          }
          // Only the zero byte that follows a stream ending on a byte boundary can go unnoticed.
          assertEquals(s.ts.length, n, "seed " + seed + " cut at " + len + " of " + b.length);
        } catch (StorageException e) {
          assertEquals(true, e.getMessage().startsWith("corrupt XOR chunk"), e.getMessage());
        }
      }
    }
  }

  @Test
  void encodingRoundTripsThroughFactory() {
    XorChunk c = new XorChunk();
    c.append(5, 7);
    Chunk d = Chunks.fromBytes(ChunkEncoding.fromCode((byte) 1), c.bytes());
    assertEquals(ChunkEncoding.XOR, d.encoding());
    assertEquals(1, d.numSamples());
    assertThrows(IllegalArgumentException.class, () -> ChunkEncoding.fromCode((byte) 9));
  }

  static void assertSeries(SampleIterator it, long[] ts, double[] vs, int from, String msg) {
    for (int i = from; i < ts.length; i++) {
      assertEquals(ValueType.FLOAT, it.next(), msg + " i=" + i);
      assertEquals(ts[i], it.atT(), msg + " i=" + i);
      assertEquals(
          Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(it.atV()), msg + " i=" + i);
    }
    assertEquals(ValueType.NONE, it.next(), msg);
  }
}
