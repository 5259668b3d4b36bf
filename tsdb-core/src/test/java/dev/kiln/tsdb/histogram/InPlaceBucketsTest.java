package dev.kiln.tsdb.histogram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free fast paths of {@link FloatHistogram} (add, sub, kahanAdd, compact,
 * detectReset) against the general {@link IndexedBuckets} path, which the same operation takes
 * when the receiver's spans are split into a non-canonical but equivalent form. Seeded; the seed
 * is in every failure message.
 */
class InPlaceBucketsTest {
  private static final int ROUNDS = 3000;

  /** A histogram over a random index set (sometimes a subset of {@code base}), schema 2. */
  private static FloatHistogram random(Random r, TreeMap<Integer, Double> base, boolean subset) {
    TreeMap<Integer, Double> pos = new TreeMap<>();
    TreeMap<Integer, Double> neg = new TreeMap<>();
    if (subset && base != null) {
      for (var e : base.entrySet()) {
        if (r.nextInt(4) != 0) {
          pos.put(e.getKey(), value(r));
        }
      }
    } else {
      int start = r.nextInt(20) - 30;
      for (int i = 0, idx = start; i < 1 + r.nextInt(25); i++) {
        idx += 1 + (r.nextInt(3) == 0 ? r.nextInt(4) : 0);
        pos.put(idx, value(r));
      }
    }
    if (r.nextInt(3) == 0) {
      neg.put(-r.nextInt(5), value(r));
      neg.put(3, value(r));
    }
    FloatHistogram h = new FloatHistogram();
    h.schema = 2;
    // Buckets below index -24 (bound 2^-6) are inside the zero bucket of half the histograms.
    h.zeroThreshold = r.nextBoolean() ? Math.scalb(1.0, -6) : 0;
    h.zeroCount = r.nextInt(5);
    h.count = 1000;
    h.sum = r.nextDouble() * 100;
    set(h, true, pos);
    set(h, false, neg);
    return h;
  }

  private static double value(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> 0;
      case 1 -> r.nextInt(10);
      default -> r.nextDouble() * 1e3;
    };
  }

  static void set(FloatHistogram h, boolean positive, TreeMap<Integer, Double> m) {
    IndexedBuckets b = new IndexedBuckets(m.size());
    m.forEach(b::add);
    if (positive) {
      h.positiveSpans = b.spans();
      h.positiveBuckets = b.buckets();
    } else {
      h.negativeSpans = b.spans();
      h.negativeBuckets = b.buckets();
    }
  }

  static TreeMap<Integer, Double> positives(FloatHistogram h) {
    TreeMap<Integer, Double> m = new TreeMap<>();
    IndexedBuckets b = IndexedBuckets.decode(h.positiveSpans, h.positiveBuckets);
    for (int i = 0; i < b.n; i++) {
      m.put(b.idx[i], b.cnt[i]);
    }
    return m;
  }

  /** The same buckets with the first span of length ≥ 2 split in two (offset 0: not canonical). */
  static Span[] split(Span[] spans) {
    List<Span> out = new ArrayList<>();
    boolean done = false;
    for (Span s : spans) {
      if (!done && s.length() >= 2) {
        out.add(new Span(s.offset(), 1));
        out.add(new Span(0, s.length() - 1));
        done = true;
      } else {
        out.add(s);
      }
    }
    return out.toArray(new Span[0]);
  }

  static FloatHistogram generalForm(FloatHistogram h) {
    FloatHistogram g = h.copy();
    g.positiveSpans = split(g.positiveSpans);
    g.negativeSpans = split(g.negativeSpans);
    if (g.positiveSpans.length == h.positiveSpans.length) {
      // Nothing to split: an empty leading span keeps the layout and disables the fast paths.
      Span[] s = new Span[g.positiveSpans.length + 1];
      s[0] = new Span(0, 0);
      System.arraycopy(g.positiveSpans, 0, s, 1, g.positiveSpans.length);
      g.positiveSpans = s;
    }
    return g;
  }

  private static void assertSame(FloatHistogram want, FloatHistogram got, String msg) {
    assertEquals(want, got, msg + ": " + want + " vs " + got);
    assertEquals(want.counterResetHint, got.counterResetHint, msg);
  }

  @Test
  void addAndSubMatchGeneralPath() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int i = 0; i < ROUNDS; i++) {
      FloatHistogram a = random(r, null, false);
      FloatHistogram b = random(r, positives(a), r.nextInt(4) != 0);
      b.zeroThreshold = a.zeroThreshold;
      boolean sub = r.nextBoolean();
      FloatHistogram fast = a.copy();
      FloatHistogram general = generalForm(a);
      int f1 = sub ? fast.sub(b) : fast.add(b);
      int f2 = sub ? general.sub(b) : general.add(b);
      String msg = "seed " + seed + " round " + i;
      assertEquals(f2, f1, msg);
      assertSame(general, fast, msg);
      assertTrue(InPlaceBuckets.canonical(fast.positiveSpans, fast.positiveBuckets.length)
          || !InPlaceBuckets.canonical(a.positiveSpans, a.positiveBuckets.length), msg);
    }
  }

  @Test
  void kahanAddMatchesGeneralPath() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int i = 0; i < ROUNDS / 10; i++) {
      FloatHistogram first = random(r, null, false);
      FloatHistogram fast = first.copy();
      FloatHistogram general = generalForm(first);
      FloatHistogram fastComp = new FloatHistogram();
      FloatHistogram generalComp = new FloatHistogram();
      String msg = "seed " + seed + " round " + i;
      for (int k = 0; k < 10; k++) {
        FloatHistogram o = random(r, positives(first), r.nextInt(5) != 0);
        o.zeroThreshold = first.zeroThreshold;
        assertEquals(general.kahanAdd(o, generalComp), fast.kahanAdd(o, fastComp), msg);
        assertSame(general, fast, msg + " add " + k);
        assertEquals(generalComp, fastComp, msg + " compensation " + k);
        // Keep the general side general for the next addition.
        general = generalForm(general);
      }
    }
  }

  @Test
  void kahanAddFillingGapsGivesTheSameCompactedSum() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int i = 0; i < ROUNDS / 10; i++) {
      FloatHistogram first = random(r, null, false);
      FloatHistogram plain = first.copy();
      FloatHistogram filled = first.copy();
      FloatHistogram plainComp = new FloatHistogram();
      FloatHistogram filledComp = new FloatHistogram();
      String msg = "seed " + seed + " round " + i;
      for (int k = 0; k < 10; k++) {
        FloatHistogram o = random(r, positives(first), r.nextInt(3) == 0);
        o.zeroThreshold = first.zeroThreshold;
        assertEquals(plain.kahanAdd(o, plainComp), filled.kahanAdd(o, filledComp, true), msg);
      }
      plain.add(plainComp);
      filled.add(filledComp);
      assertSame(plain.compact(0), filled.compact(0), msg);
    }
  }

  @Test
  void compactMatchesIndexedBuckets() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    Object[] out = new Object[2];
    for (int i = 0; i < ROUNDS; i++) {
      FloatHistogram h = random(r, null, false);
      Span[] spans = r.nextBoolean() ? h.positiveSpans : split(h.positiveSpans);
      int maxEmpty = r.nextInt(4);
      InPlaceBuckets.compact(spans, h.positiveBuckets, maxEmpty, out);
      IndexedBuckets want = IndexedBuckets.decode(spans, h.positiveBuckets).compact(maxEmpty);
      String msg = "seed " + seed + " round " + i;
      assertArrayEquals(want.spans(), (Span[]) out[0], msg);
      assertArrayEquals(want.buckets(), (double[]) out[1], msg);
      FloatHistogram viaMethod = h.copy().compact(maxEmpty);
      FloatHistogram viaGeneral = generalForm(h).compact(maxEmpty);
      assertSame(viaGeneral, viaMethod, msg);
      assertArrayEquals(viaGeneral.positiveSpans, viaMethod.positiveSpans, msg);
    }
  }

  /** Reset detection of one side as the general path computes it, from decoded buckets. */
  private static boolean referenceDecreased(Span[] cs, double[] cb, Span[] ps, double[] pb, int schema, double zt) {
    IndexedBuckets c = IndexedBuckets.decode(cs, cb);
    IndexedBuckets p = IndexedBuckets.decode(ps, pb);
    int ci = 0;
    while (ci < c.n && Schemas.exponentialBound(c.idx[ci], schema) <= zt) {
      ci++;
    }
    int pi = 0;
    while (pi < p.n && Schemas.exponentialBound(p.idx[pi], schema) <= zt) {
      pi++;
    }
    for (; pi < p.n; pi++) {
      while (ci < c.n && c.idx[ci] < p.idx[pi]) {
        ci++;
      }
      if (ci < c.n && c.idx[ci] == p.idx[pi]) {
        if (c.cnt[ci] < p.cnt[pi]) {
          return true;
        }
      } else if (p.cnt[pi] != 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void detectResetAcrossLayoutsMatchesDecodedComparison() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    int resets = 0;
    for (int i = 0; i < ROUNDS; i++) {
      FloatHistogram prev = random(r, null, false);
      // Another layout: some of prev's buckets (grown, sometimes shrunk or emptied) plus new ones.
      TreeMap<Integer, Double> next = new TreeMap<>();
      for (var e : positives(prev).entrySet()) {
        int roll = r.nextInt(12);
        if (roll == 0) {
          continue;
        }
        next.put(e.getKey(), roll == 1 ? e.getValue() - 1 : e.getValue() + r.nextInt(3));
      }
      for (int k = 0; k < r.nextInt(4); k++) {
        next.put(r.nextInt(60) - 35, (double) r.nextInt(5));
      }
      FloatHistogram curr = prev.copy();
      set(curr, true, next);
      Span[] spans = r.nextBoolean() ? curr.positiveSpans : split(curr.positiveSpans);
      curr.positiveSpans = spans;
      curr.count = prev.count;
      String msg = "seed " + seed + " round " + i;
      boolean want = curr.zeroCount < prev.zeroCount
          || referenceDecreased(curr.positiveSpans, curr.positiveBuckets, prev.positiveSpans, prev.positiveBuckets,
              prev.schema, prev.zeroThreshold)
          || referenceDecreased(curr.negativeSpans, curr.negativeBuckets, prev.negativeSpans, prev.negativeBuckets,
              prev.schema, prev.zeroThreshold);
      boolean got = curr.detectReset(prev);
      assertEquals(want, got, msg);
      resets += got ? 1 : 0;
    }
    assertTrue(resets > 0 && resets < ROUNDS, "both outcomes occur, seed " + seed);
  }

  @Test
  void detectResetMatchesGeneralPath() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    int resets = 0;
    for (int i = 0; i < ROUNDS; i++) {
      FloatHistogram prev = random(r, null, false);
      FloatHistogram curr = prev.copy();
      for (int k = 0; k < curr.positiveBuckets.length; k++) {
        curr.positiveBuckets[k] += r.nextInt(20) == 0 ? -1 : r.nextInt(3);
      }
      curr.zeroCount += r.nextInt(30) == 0 ? -1 : 0;
      curr.count = prev.count + r.nextInt(3);
      boolean fast = curr.detectReset(prev);
      FloatHistogram general = generalForm(prev);
      assertEquals(curr.detectReset(general), fast, "seed " + seed + " round " + i);
      resets += fast ? 1 : 0;
    }
    assertTrue(resets > 0 && resets < ROUNDS, "both outcomes occur, seed " + seed);
  }
}
