package dev.kiln.tsdb.histogram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Copying and compacting into pooled arrays gives what the allocating operations give, whatever
 * the recycled arrays held before. Seeded; the seed is in every failure message.
 */
class HistogramPoolTest {
  private static final int ROUNDS = 2000;

  private static FloatHistogram random(Random r) {
    TreeMap<Integer, Double> pos = new TreeMap<>();
    TreeMap<Integer, Double> neg = new TreeMap<>();
    for (int i = 0, idx = r.nextInt(20) - 10; i < 1 + r.nextInt(30); i++) {
      idx += 1 + (r.nextInt(3) == 0 ? r.nextInt(4) : 0);
      pos.put(idx, r.nextInt(3) == 0 ? 0 : r.nextDouble() * 100);
    }
    for (int i = 0, idx = r.nextInt(5); i < r.nextInt(6); i++) {
      idx += 1 + r.nextInt(3);
      neg.put(idx, r.nextInt(3) == 0 ? 0 : r.nextDouble() * 100);
    }
    FloatHistogram h = new FloatHistogram();
    h.schema = r.nextInt(4);
    h.zeroThreshold = 1e-3;
    h.zeroCount = r.nextInt(5);
    h.count = 1000;
    h.sum = r.nextDouble();
    h.counterResetHint = CounterResetHint.GAUGE;
    InPlaceBucketsTest.set(h, true, pos);
    InPlaceBucketsTest.set(h, false, neg);
    return h;
  }

  /** Recycles histograms whose arrays hold garbage, so pooled arrays are never zeroed. */
  private static void dirty(HistogramPool pool, Random r) {
    for (int i = 0; i < 20; i++) {
      FloatHistogram h = random(r);
      Arrays.fill(h.positiveBuckets, Double.NaN);
      Arrays.fill(h.negativeBuckets, -7);
      pool.recycle(h);
    }
  }

  @Test
  void copyAndCompactIntoPooledArraysMatchAllocatingOnes() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    HistogramPool pool = new HistogramPool();
    for (int i = 0; i < ROUNDS; i++) {
      String msg = "seed " + seed + " round " + i;
      if (i % 50 == 0) {
        dirty(pool, r);
      }
      FloatHistogram h = random(r);
      FloatHistogram copy = h.copyTo(pool.take(), pool);
      assertEquals(h, copy, msg);
      assertNotSame(h.positiveBuckets, copy.positiveBuckets, msg);
      int maxEmpty = r.nextInt(3);
      FloatHistogram want = h.copy().compact(maxEmpty);
      FloatHistogram got = copy.compact(maxEmpty, pool);
      assertEquals(want, got, msg);
      assertArrayEquals(want.positiveSpans, got.positiveSpans, msg);
      assertArrayEquals(want.positiveBuckets, got.positiveBuckets, msg);
      assertArrayEquals(want.negativeSpans, got.negativeSpans, msg);
      assertArrayEquals(want.negativeBuckets, got.negativeBuckets, msg);
      assertEquals(CounterResetHint.GAUGE, got.counterResetHint, msg);
      if (r.nextBoolean()) {
        pool.recycle(got);
      }
    }
  }

  @Test
  void sameSchemaCopyComesFromThePool() {
    HistogramPool pool = new HistogramPool();
    FloatHistogram h = random(new Random(1));
    FloatHistogram first = h.copyToSchema(h.schema, pool);
    pool.recycle(first);
    FloatHistogram second = h.copyToSchema(h.schema, pool);
    assertEquals(h, second);
    assertSame(first, second);
    assertEquals(h.positiveBuckets.length, second.positiveBuckets.length);
  }
}
