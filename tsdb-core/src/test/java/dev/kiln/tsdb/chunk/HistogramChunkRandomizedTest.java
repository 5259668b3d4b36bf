package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized round trips of both histogram chunk encodings against a simple oracle: each
 * appended sample as a sorted map from absolute bucket index to count. Layout changes (recoding
 * adds empty buckets), counter resets, schema changes, gauges and stale markers are generated. The
 * seed is in every failure message ({@code -Dtests.seed=...} replays it).
 */
class HistogramChunkRandomizedTest {
  private static final long BASE_SEED = Long.getLong("tests.seed", System.nanoTime());

  /** What a decoded sample must equal, layout-independent. */
  record Expected(long t, boolean stale, int schema, double zt, double count, double zeroCount,
      double sum, TreeMap<Integer, Double> pos, TreeMap<Integer, Double> neg) {}

  @Test
  void integerHistogramsRoundTrip() {
    int recodes = 0;
    int cuts = 0;
    for (int round = 0; round < 200; round++) {
      long seed = BASE_SEED + round;
      Random r = new Random(seed);
      String msg = "seed " + seed;
      boolean gauge = r.nextInt(4) == 0;
      List<HistogramChunk> chunks = new ArrayList<>();
      List<Expected> want = new ArrayList<>();
      HistogramAppender app = HistogramAppender.create();
      HistogramAppender prev = null;
      chunks.add(app.chunk());
      Gen g = new Gen(r);
      long t = r.nextInt(1 << 20) - (1 << 19);
      int n = 1 + r.nextInt(150);
      for (int i = 0; i < n; i++) {
        Histogram h = g.nextInt(gauge);
        want.add(expected(t, h));
        HistogramAppender next = app.append(prev, t, h.copy());
        if (next != app) {
          if (next.recoded()) {
            recodes++;
            chunks.set(chunks.size() - 1, next.chunk());
          } else {
            cuts++;
            chunks.add(next.chunk());
            prev = app;
          }
          app = next;
        }
        t += 1 + r.nextInt(r.nextBoolean() ? 30 : 100_000);
      }
      List<Expected> got = new ArrayList<>();
      for (HistogramChunk c : chunks) {
        assertTrue(c.numSamples() > 0, msg);
        if (gauge) {
          assertEquals(CounterResetHeader.GAUGE, c.counterResetHeader(), msg);
        }
        HistogramChunk wrapped = HistogramChunk.fromBytes(ChunkEncoding.HISTOGRAM, c.bytes());
        SampleIterator it = wrapped.iterator(null);
        Histogram reuse = new Histogram();
        int k = 0;
        while (it.next() == ValueType.HISTOGRAM) {
          Histogram h = it.atHistogram(k % 2 == 0 ? null : reuse);
          if (!StaleNaN.is(h.sum)) { // a stale marker decodes to a bare sum, as in Prometheus
            assertEquals(hintFor(c, k), h.counterResetHint, msg);
          }
          got.add(expected(it.atT(), h));
          FloatHistogram fh = it.atFloatHistogram(null);
          assertEquals(h.toFloat(null), fh, msg);
          k++;
        }
        assertEquals(c.numSamples(), k, msg);
        // Continuing wrapped bytes re-encodes them to the same bytes.
        HistogramChunk again = HistogramChunk.fromBytes(ChunkEncoding.HISTOGRAM, c.bytes());
        again.histogramAppender();
        assertArrayEquals(c.bytes(), again.bytes(), msg);
      }
      assertSamples(want, got, msg);
    }
    assertTrue(recodes > 0 && cuts > 0, "recodes " + recodes + ", cuts " + cuts);
  }

  @Test
  void floatHistogramsRoundTrip() {
    int recodes = 0;
    int cuts = 0;
    for (int round = 0; round < 200; round++) {
      long seed = BASE_SEED + 1_000_000 + round;
      Random r = new Random(seed);
      String msg = "seed " + seed;
      boolean gauge = r.nextInt(4) == 0;
      List<HistogramChunk> chunks = new ArrayList<>();
      List<Expected> want = new ArrayList<>();
      FloatHistogramAppender app = FloatHistogramAppender.create();
      FloatHistogramAppender prev = null;
      chunks.add(app.chunk());
      Gen g = new Gen(r);
      long t = r.nextLong() >> 20;
      int n = 1 + r.nextInt(150);
      for (int i = 0; i < n; i++) {
        Histogram ih = g.nextInt(gauge);
        FloatHistogram h = ih.toFloat(null);
        if (r.nextInt(3) == 0 && !StaleNaN.is(h.sum)) {
          h.sum = r.nextGaussian() * 1e6; // fractional values
          h.count += 0.5;
        }
        want.add(expected(t, h));
        FloatHistogramAppender next = app.append(prev, t, h.copy());
        if (next != app) {
          if (next.recoded()) {
            recodes++;
            chunks.set(chunks.size() - 1, next.chunk());
          } else {
            cuts++;
            chunks.add(next.chunk());
            prev = app;
          }
          app = next;
        }
        t += 1 + r.nextInt(60_000);
      }
      List<Expected> got = new ArrayList<>();
      for (HistogramChunk c : chunks) {
        SampleIterator it = HistogramChunk.fromBytes(ChunkEncoding.FLOAT_HISTOGRAM, c.bytes()).iterator(null);
        FloatHistogram reuse = new FloatHistogram();
        int k = 0;
        while (it.next() == ValueType.FLOAT_HISTOGRAM) {
          FloatHistogram h = it.atFloatHistogram(k % 2 == 0 ? null : reuse);
          if (!StaleNaN.is(h.sum)) {
            assertEquals(hintFor(c, k), h.counterResetHint, msg);
          }
          got.add(expected(it.atT(), h));
          k++;
        }
        assertEquals(c.numSamples(), k, msg);
        HistogramChunk again = HistogramChunk.fromBytes(ChunkEncoding.FLOAT_HISTOGRAM, c.bytes());
        again.floatHistogramAppender();
        assertArrayEquals(c.bytes(), again.bytes(), msg);
      }
      assertSamples(want, got, msg);
    }
    assertTrue(recodes > 0 && cuts > 0, "recodes " + recodes + ", cuts " + cuts);
  }

  @Test
  void seekFindsFirstSampleAtOrAfter() {
    long seed = BASE_SEED;
    Random r = new Random(seed);
    Gen g = new Gen(r);
    HistogramAppender app = HistogramAppender.create();
    long[] ts = new long[50];
    long t = 0;
    for (int i = 0; i < ts.length; i++) {
      Histogram h = g.nextGrowing();
      ts[i] = t;
      app = app.append(null, t, h);
      t += 10;
    }
    assertEquals(ts.length, app.numSamples(), "seed " + seed);
    SampleIterator it = app.chunk().iterator(null);
    assertEquals(ValueType.HISTOGRAM, it.seek(15));
    assertEquals(20, it.atT());
    assertEquals(ValueType.HISTOGRAM, it.seek(20));
    assertEquals(20, it.atT());
    assertEquals(ValueType.NONE, it.seek(491));
    assertEquals(ValueType.NONE, it.next());
  }

  private static CounterResetHint hintFor(HistogramChunk c, int k) {
    if (c.counterResetHeader() == CounterResetHeader.GAUGE) {
      return CounterResetHint.GAUGE;
    }
    return k == 0 ? CounterResetHint.UNKNOWN : CounterResetHint.NOT_COUNTER_RESET;
  }

  private static void assertSamples(List<Expected> want, List<Expected> got, String msg) {
    assertEquals(want.size(), got.size(), msg);
    for (int i = 0; i < want.size(); i++) {
      Expected w = want.get(i);
      Expected g = got.get(i);
      if (w.stale()) {
        assertTrue(g.stale(), msg + " sample " + i);
        assertEquals(w.t(), g.t(), msg);
        continue;
      }
      assertEquals(w, g, msg + " sample " + i);
    }
  }

  private static Expected expected(long t, Histogram h) {
    return expected(t, h.toFloat(null));
  }

  private static Expected expected(long t, FloatHistogram h) {
    boolean stale = StaleNaN.is(h.sum);
    return new Expected(t, stale, h.schema, h.zeroThreshold, h.count, h.zeroCount,
        stale ? 0 : h.sum, nonZero(h.positiveSpans, h.positiveBuckets),
        nonZero(h.negativeSpans, h.negativeBuckets));
  }

  /** Absolute bucket index to count, leaving out empty buckets (recoding adds those). */
  private static TreeMap<Integer, Double> nonZero(Span[] spans, double[] counts) {
    TreeMap<Integer, Double> m = new TreeMap<>();
    int idx = 0;
    int b = 0;
    for (Span s : spans) {
      idx += s.offset();
      for (int j = 0; j < s.length(); j++) {
        if (counts[b] != 0) {
          m.put(idx, counts[b]);
        }
        b++;
        idx++;
      }
    }
    return m;
  }

  /** Generates a series of histograms: mostly growing, sometimes reset, re-laid-out or stale. */
  static final class Gen {
    private final Random r;
    private int schema;
    private double zt = Math.scalb(1.0, -128);
    private TreeMap<Integer, Long> pos = new TreeMap<>();
    private TreeMap<Integer, Long> neg = new TreeMap<>();
    private long zero;
    private double sum;
    private double[] custom;

    Gen(Random r) {
      this.r = r;
      schema = r.nextInt(5) == 0 ? -53 : r.nextInt(13) - 4;
      if (schema == -53) {
        custom = new double[] {0.005, 0.1, 1, 2.5, 10, r.nextDouble() * 1e7};
        java.util.Arrays.sort(custom);
      }
      int start = r.nextInt(40) - 20;
      for (int i = 0; i < 1 + r.nextInt(12); i++) {
        pos.put(start + i * (1 + r.nextInt(3)), (long) r.nextInt(50));
      }
      if (schema != -53 && r.nextBoolean()) {
        neg.put(r.nextInt(10), (long) r.nextInt(10));
      }
    }

    Histogram nextGrowing() {
      for (var e : pos.entrySet()) {
        e.setValue(e.getValue() + r.nextInt(5));
      }
      return build(CounterResetHint.UNKNOWN);
    }

    Histogram nextInt(boolean gauge) {
      int action = r.nextInt(40);
      if (action == 0) {
        Histogram h = build(gauge ? CounterResetHint.GAUGE : CounterResetHint.UNKNOWN);
        h.sum = StaleNaN.VALUE;
        return h;
      }
      if (action == 1) { // counter reset
        pos.replaceAll((k, v) -> v / 3);
        zero /= 2;
      } else if (action == 2 && schema != -53 && schema > -4) { // schema change
        schema--;
        pos = halve(pos);
        neg = halve(neg);
      } else if (action == 3) { // new bucket somewhere
        int idx = (schema == -53 ? 0 : -30) + r.nextInt(schema == -53 ? custom.length + 1 : 60);
        pos.merge(idx, 1L + r.nextInt(3), Long::sum);
      } else if (action == 4 && pos.size() > 1) { // a bucket disappears (a reset if it was used)
        pos.remove(pos.firstKey());
      } else if (action == 5 && !pos.isEmpty()) { // bucket becomes empty, still in the layout
        pos.put(pos.lastKey(), 0L);
      }
      for (var e : pos.entrySet()) {
        if (gauge) {
          e.setValue(Math.max(0, e.getValue() + r.nextInt(7) - 3));
        } else if (r.nextInt(3) > 0) {
          e.setValue(e.getValue() + r.nextInt(r.nextInt(10) == 0 ? 100_000 : 20));
        }
      }
      for (var e : neg.entrySet()) {
        e.setValue(e.getValue() + r.nextInt(3));
      }
      if (schema != -53) {
        zero += r.nextInt(3);
      }
      sum += r.nextInt(4) == 0 ? 0 : r.nextDouble() * 100;
      CounterResetHint hint = gauge ? CounterResetHint.GAUGE
          : r.nextInt(50) == 0 ? CounterResetHint.COUNTER_RESET : CounterResetHint.UNKNOWN;
      return build(hint);
    }

    private static TreeMap<Integer, Long> halve(TreeMap<Integer, Long> m) {
      TreeMap<Integer, Long> out = new TreeMap<>();
      for (var e : m.entrySet()) {
        out.merge(Math.floorDiv(e.getKey() + 1, 2), e.getValue(), Long::sum);
      }
      return out;
    }

    private Histogram build(CounterResetHint hint) {
      if (schema == -53) {
        pos.keySet().removeIf(k -> k < 0 || k > custom.length);
      }
      Histogram h = new Histogram();
      h.counterResetHint = hint;
      h.schema = schema;
      h.zeroThreshold = schema == -53 ? 0 : zt;
      h.customValues = schema == -53 ? custom : null;
      h.zeroCount = schema == -53 ? 0 : zero;
      Object[] p = encode(pos);
      Object[] n = encode(schema == -53 ? new TreeMap<>() : neg);
      h.positiveSpans = (Span[]) p[0];
      h.positiveBuckets = (long[]) p[1];
      h.negativeSpans = (Span[]) n[0];
      h.negativeBuckets = (long[]) n[1];
      long total = h.zeroCount;
      for (long v : pos.values()) {
        total += v;
      }
      if (schema != -53) {
        for (long v : neg.values()) {
          total += v;
        }
      }
      h.count = total;
      h.sum = sum;
      return h;
    }

    /** Spans (gaps of up to 2 empty buckets are kept inside a span, as clients do) and deltas. */
    private Object[] encode(TreeMap<Integer, Long> m) {
      List<Span> spans = new ArrayList<>();
      List<Long> counts = new ArrayList<>();
      Integer last = null;
      int spanStart = 0;
      int spanLen = 0;
      int prevEnd = 0;
      for (var e : m.entrySet()) {
        int idx = e.getKey();
        if (last != null && idx - last <= 3) {
          for (int k = last + 1; k < idx; k++) {
            counts.add(0L);
            spanLen++;
          }
        } else {
          if (last != null) {
            spans.add(new Span(spanStart - prevEnd, spanLen));
            prevEnd = spanStart + spanLen;
          }
          spanStart = idx;
          spanLen = 0;
        }
        counts.add(e.getValue());
        spanLen++;
        last = idx;
      }
      if (last != null) {
        spans.add(new Span(spanStart - prevEnd, spanLen));
      }
      long[] deltas = new long[counts.size()];
      long prev = 0;
      for (int i = 0; i < deltas.length; i++) {
        deltas[i] = counts.get(i) - prev;
        prev = counts.get(i);
      }
      return new Object[] {spans.toArray(new Span[0]), deltas};
    }
  }
}
