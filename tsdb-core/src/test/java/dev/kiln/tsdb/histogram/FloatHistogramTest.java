package dev.kiln.tsdb.histogram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FloatHistogramTest {
  static FloatHistogram fh(int schema, double count, double sum, double zt, double zc, int offset, double... pos) {
    FloatHistogram h = new FloatHistogram();
    h.schema = schema;
    h.count = count;
    h.sum = sum;
    h.zeroThreshold = zt;
    h.zeroCount = zc;
    if (pos.length > 0) {
      h.positiveSpans = new Span[] {new Span(offset, pos.length)};
      h.positiveBuckets = pos;
    }
    return h;
  }

  @Test
  void boundsMatchPrometheusTable() {
    assertEquals(2.0, Schemas.exponentialBound(1, 0));
    assertEquals(1.0, Schemas.exponentialBound(0, 3));
    assertEquals(1.0905077326652577, Schemas.exponentialBound(1, 3));
    assertEquals(1.414213562373095, Schemas.exponentialBound(1, 1)); // Prometheus's table, not sqrt(2)
    assertEquals(16.0, Schemas.exponentialBound(1, -2));
    assertEquals(Double.MAX_VALUE, Schemas.exponentialBound(1024, 0));
    assertEquals(Double.POSITIVE_INFINITY, Schemas.exponentialBound(1025, 0));
    assertEquals(Double.POSITIVE_INFINITY, Schemas.bound(2, Schemas.CUSTOM_BUCKETS, new double[] {1, 2}));
  }

  @Test
  void stringFormIsPrometheuss() {
    FloatHistogram h = fh(0, 9, 23, 0.001, 2, 0, 1, 2);
    h.negativeSpans = new Span[] {new Span(1, 2)};
    h.negativeBuckets = new double[] {3, 1};
    assertEquals("{count:9, sum:23, [-4,-2):1, [-2,-1):3, [-0.001,0.001]:2, (0.5,1]:1, (1,2]:2}", h.toString());
    assertEquals("{{count:9 sum:23 z_bucket:2 z_bucket_w:0.001 buckets:[1 2] n_offset:1 n_buckets:[3 1]}}", h.testExpression());
  }

  @Test
  void addReducesToTheLowerSchema() {
    FloatHistogram a = fh(1, 4, 10, 0, 0, 1, 1, 1, 1, 1); // idx 1..4 in schema 1
    FloatHistogram b = fh(0, 2, 3, 0, 0, 1, 1, 1); // idx 1..2 in schema 0
    a.add(b);
    assertEquals(0, a.schema);
    assertEquals(6, a.count);
    // schema1 idx1,2 -> schema0 idx1; idx3,4 -> idx2
    FloatHistogram expected = fh(0, 6, 13, 0, 0, 1, 3, 3);
    assertEquals(expected, a.compact(0));
  }

  @Test
  void addWidensTheZeroBucket() {
    FloatHistogram a = fh(0, 3, 0, 0.5, 1, 0, 2); // idx0 = (0.5,1]
    FloatHistogram b = fh(0, 3, 0, 1, 1, 1, 2); // zero threshold 1 swallows (0.5,1]
    a.add(b);
    assertEquals(1, a.zeroThreshold);
    assertEquals(4, a.zeroCount); // 1 + a's bucket (0.5,1] of 2 + b's zero 1
    assertEquals("{count:6, sum:0, [-1,1]:4, (1,2]:2}", a.compact(0).toString());
  }

  @Test
  void mixingSchemasFails() {
    FloatHistogram a = fh(0, 1, 1, 0, 0, 0, 1);
    FloatHistogram b = fh(Schemas.CUSTOM_BUCKETS, 1, 1, 0, 0, 0, 1);
    b.customValues = new double[] {1};
    HistogramException e = assertThrows(HistogramException.class, () -> a.add(b));
    assertEquals(HistogramException.Kind.INCOMPATIBLE_SCHEMA, e.kind());
  }

  @Test
  void customBoundsAreIntersected() {
    FloatHistogram a = fh(Schemas.CUSTOM_BUCKETS, 3, 0, 0, 0, 0, 1, 1, 1);
    a.customValues = new double[] {1, 2};
    FloatHistogram b = fh(Schemas.CUSTOM_BUCKETS, 3, 0, 0, 0, 0, 1, 1, 1);
    b.customValues = new double[] {2, 3};
    int flags = a.add(b);
    assertEquals(FloatHistogram.NHCB_BOUNDS_RECONCILED, flags);
    assertArrayEquals(new double[] {2}, a.customValues);
    assertEquals("{count:6, sum:0, [-Inf,2]:3, (2,+Inf]:3}", a.toString());
  }

  @Test
  void counterResetHintsCollide() {
    FloatHistogram a = fh(0, 1, 1, 0, 0, 0, 1);
    a.counterResetHint = CounterResetHint.COUNTER_RESET;
    FloatHistogram b = fh(0, 1, 1, 0, 0, 0, 1);
    b.counterResetHint = CounterResetHint.NOT_COUNTER_RESET;
    assertEquals(FloatHistogram.COUNTER_RESET_COLLISION, a.add(b));
    assertEquals(CounterResetHint.UNKNOWN, a.counterResetHint);
  }

  @Test
  void detectResetOnDecreaseOrVanishedBucket() {
    FloatHistogram prev = fh(0, 3, 5, 0, 0, 0, 1, 2);
    assertFalse(fh(0, 4, 5, 0, 0, 0, 1, 3).detectReset(prev));
    assertTrue(fh(0, 4, 5, 0, 0, 0, 2, 1).detectReset(prev));
    assertTrue(fh(0, 4, 5, 0, 0, 1, 4).detectReset(prev)); // bucket 0 vanished
    assertTrue(fh(1, 4, 5, 0, 0, 0, 1, 3).detectReset(prev)); // schema grew
    // Lower schema in the current histogram: previous buckets merge (idx0,1 of schema 0 -> idx 0,1 of -1).
    assertFalse(fh(-1, 4, 5, 0, 0, 0, 1, 3).detectReset(prev));
    FloatHistogram explicit = fh(0, 1, 1, 0, 0, 0, 1);
    explicit.counterResetHint = CounterResetHint.NOT_COUNTER_RESET;
    assertFalse(explicit.detectReset(prev));
  }

  @Test
  void divisionByZeroDropsBuckets() {
    FloatHistogram h = fh(0, 2, 4, 0, 0, 0, 1, 1).div(0);
    assertEquals(Double.POSITIVE_INFINITY, h.count);
    assertEquals(0, h.positiveBuckets.length);
    assertEquals(CounterResetHint.GAUGE, fh(0, 1, 1, 0, 0, 0, 1).mul(-1).counterResetHint);
  }

  @Test
  void validationTexts() {
    FloatHistogram h = fh(0, 1, 1, 0, 0, 0, 1, -1);
    assertEquals("positive side: bucket number 2 has observation count of -1: "
        + "histogram has a bucket whose observation count is negative",
        assertThrows(HistogramException.class, h::validate).getMessage());
    FloatHistogram s = fh(9, 1, 1, 0, 0, 0, 1);
    assertEquals("histogram has an invalid schema, which must be between -4 and 8 for exponential buckets, "
        + "or -53 for custom buckets, got schema 9", assertThrows(HistogramException.class, s::validate).getMessage());
    Histogram ih = new Histogram();
    ih.count = 3;
    ih.positiveSpans = new Span[] {new Span(0, 2)};
    ih.positiveBuckets = new long[] {1, 0};
    assertEquals("2 observations found in buckets, but the Count field is 3: histogram's observation count "
        + "should equal the number of observations found in the buckets (in absence of NaN)",
        assertThrows(HistogramException.class, ih::validate).getMessage());
    ih.sum = Double.NaN;
    ih.validate();
  }

  @Test
  void integerToFloatDecodesDeltas() {
    Histogram ih = new Histogram();
    ih.count = 7;
    ih.sum = 12;
    ih.zeroCount = 1;
    ih.zeroThreshold = 0.001;
    ih.positiveSpans = new Span[] {new Span(0, 2), new Span(2, 1)};
    ih.positiveBuckets = new long[] {1, 2, -1}; // 1, 3, 2
    ih.validate();
    FloatHistogram f = ih.toFloat(null);
    assertArrayEquals(new double[] {1, 3, 2}, f.positiveBuckets);
    assertEquals("{count:7, sum:12, [-0.001,0.001]:1, (0.5,1]:1, (1,2]:3, (8,16]:2}", f.toString());
    assertEquals(f.toString(), ih.toString());
    List<String> rev = new ArrayList<>();
    BucketIterator it = f.allReverseBucketIterator();
    while (it.next()) {
      rev.add(it.at().toString());
    }
    assertEquals(List.of("(8,16]:2", "(1,2]:3", "(0.5,1]:1", "[-0.001,0.001]:1"), rev);
  }

  /** Adding random histograms agrees with summing bucket counts per index in a map. */
  @Test
  void randomizedAddAgainstMapOracle() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int round = 0; round < 300; round++) {
      int sa = r.nextInt(4);
      int sb = r.nextInt(4);
      FloatHistogram a = random(r, sa);
      FloatHistogram b = random(r, sb);
      int target = Math.min(sa, sb);
      TreeMap<Integer, Double> oracle = new TreeMap<>();
      accumulate(oracle, a, target);
      accumulate(oracle, b, target);
      a.add(b);
      a.compact(0);
      TreeMap<Integer, Double> got = new TreeMap<>();
      accumulate(got, a, target);
      oracle.values().removeIf(v -> v == 0);
      assertEquals(oracle, got, "seed " + seed);
      assertEquals(target, a.schema, "seed " + seed);
    }
  }

  private static void accumulate(TreeMap<Integer, Double> m, FloatHistogram h, int target) {
    IndexedBuckets b = IndexedBuckets.decode(h.positiveSpans, h.positiveBuckets).reduce(h.schema, target);
    for (int i = 0; i < b.n; i++) {
      m.merge(b.idx[i], b.cnt[i], Double::sum);
    }
  }

  private static FloatHistogram random(Random r, int schema) {
    FloatHistogram h = new FloatHistogram();
    h.schema = schema;
    int spans = r.nextInt(4);
    List<Span> s = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    for (int i = 0; i < spans; i++) {
      int len = 1 + r.nextInt(4);
      s.add(new Span(i == 0 ? r.nextInt(20) - 10 : r.nextInt(3), len));
      for (int j = 0; j < len; j++) {
        b.add((double) r.nextInt(5));
      }
    }
    h.positiveSpans = s.toArray(new Span[0]);
    h.positiveBuckets = b.stream().mapToDouble(Double::doubleValue).toArray();
    return h;
  }
}
