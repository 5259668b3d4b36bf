package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of the histogram chunk encodings. The expected bytes come from Prometheus's encoder
 * (prometheus/prometheus {@code tsdb/chunkenc/bstream.go}, {@code varbit.go}, {@code
 * histogram_meta.go}, {@code xor.go}, {@code histogram.go} {@code appendHistogram} and {@code
 * float_histogram.go} {@code appendFloatHistogram}), ported line by line in {@code
 * src/test/resources/chunk/promchunk.py} and checked by hand for the first vector below.
 */
class HistogramChunkGoldenTest {
  private static final double DEFAULT_ZT = Math.scalb(1.0, -128);

  /**
   * One sample: t=1000, schema 1, zero threshold 2^-128, count 7, zero count 2, sum 18.4, spans
   * [0,2] [1,2], bucket deltas 1 1 -1 0. By hand: {@code 00 01} (1 sample), {@code 00} (unknown
   * reset), {@code 74} (2^-128 = 0.5*2^-127: -127+243 = 116), then bits: schema 1 = {@code 10 001};
   * 2 positive spans = {@code 10 010}; span lengths 2 = {@code 10 010} and offsets 0 = {@code 0}
   * and 1 = {@code 10 001}; 0 negative spans = {@code 0}; t 1000 = {@code 11110} + 12 bits; count
   * 7 = {@code 10 111}; zero count 2 = {@code 10 010}; sum as 64 raw bits (0x4032666666666666);
   * buckets {@code 10 001}, {@code 10 001}, {@code 10 111}, {@code 0}; zero padding. That is 8c a4
   * 94 5e 3e 8b c9 ...
   */
  @Test
  void oneIntegerSample() {
    Histogram h = hist(1, DEFAULT_ZT, spans(0, 2, 1, 2), spans(), null, 7, 2, 18.4, longs(1, 1, -1, 0), longs());
    HistogramAppender app = HistogramAppender.create();
    app = app.append(null, 1000, h);
    assertHex("000100748ca4945e3e8bc900c999999999999a31b8", app.chunk());
  }

  @Test
  void threeIntegerSamplesWithNegativeSpan() {
    HistogramAppender app = HistogramAppender.create();
    Span[] pos = spans(-1, 3);
    Span[] neg = spans(2, 1);
    Histogram h1 = hist(0, DEFAULT_ZT, pos, neg, null, 10, 1, 12.5, longs(2, 1, -1), longs(3));
    Histogram h2 = hist(0, DEFAULT_ZT, pos, neg, null, 15, 2, 20.25, longs(3, 1, -1), longs(5));
    Histogram h3 = hist(0, DEFAULT_ZT, pos, neg, null, 21, 2, 31.0, longs(4, 2, -2), longs(6));
    HistogramAppender first = app;
    app = app.append(null, 1000, h1);
    app = app.append(null, 16000, h2);
    app = app.append(null, 31000, h3);
    assertEquals(first, app, "same layout and no reset: no new chunk");
    // The Python port writes the header bits 01 (not a counter reset), as a chunk cut after a
    // chunk without reset gets; set the same here.
    app.chunk().setCounterResetHeader(CounterResetHeader.NOT_COUNTER_RESET);
    assertHex(
        "0003407446778c65e3e8c54500a400000000000251bcfe0ea630b1d63f589246f2d46f70", app.chunk());
    assertRoundTrip(app.chunk(), List.of(h1, h2, h3), new long[] {1000, 16000, 31000});
  }

  @Test
  void customBucketsWithCounterResetHeader() {
    double[] bounds = {0.1, 0.5, 1.0, 2.5, 1.0e6};
    Histogram c1 = hist(-53, 0, spans(0, 3), spans(), bounds, 6, 0, 4.2, longs(1, 2, 0), longs());
    Histogram c2 = hist(-53, 0, spans(0, 3), spans(), bounds, 9, 0, 6.0, longs(2, 2, 1), longs());
    c1.counterResetHint = CounterResetHint.COUNTER_RESET;
    HistogramAppender app = HistogramAppender.create().append(null, 5, c1);
    app = app.append(null, 65, c2);
    assertHex(
        "00028000ee5c66578cbdf5f1f4fa714825d09000000000185b100433333333333363270f26d9a4666666666666c510",
        app.chunk());
    c1.counterResetHint = CounterResetHint.UNKNOWN; // decoded first samples say "unknown"
    assertRoundTrip(app.chunk(), List.of(c1, c2), new long[] {5, 65});
  }

  @Test
  void floatGaugeHistogramsWithNineByteZeroThreshold() {
    Span[] pos = spans(1, 2);
    Span[] neg = spans(0, 1);
    FloatHistogram f1 = fhist(3, 0.001, pos, neg, 4.5, 0.5, -1.25, doubles(1.5, 2.0), doubles(0.5));
    FloatHistogram f2 = fhist(3, 0.001, pos, neg, 6.0, 0.5, 3.0, doubles(2.5, 2.0), doubles(1.0));
    FloatHistogram f3 = fhist(3, 0.001, pos, neg, 2.0, 0.0, 1.0, doubles(1.0, 0.0), doubles(1.0));
    FloatHistogramAppender app = FloatHistogramAppender.create();
    FloatHistogramAppender first = app;
    app = app.append(null, -2000, f1);
    app = app.append(null, 58000, f2);
    app = app.append(null, 118000, f3); // a decrease: fine for a gauge
    assertEquals(first, app);
    assertHex(
        "0003c0ff3f50624dd2f1a9fc9c6518c5e83040120000000000003fe0000000000000bff40000000000003ff8"
            + "00000000000040000000000000003fe0000000000000f8ea60d81d603bfffc26fffdac1b585e227ff3ffd7ff708300",
        app.chunk());
    SampleIterator it = app.chunk().iterator(null);
    long[] ts = {-2000, 58000, 118000};
    for (int i = 0; i < 3; i++) {
      assertEquals(ValueType.FLOAT_HISTOGRAM, it.next());
      assertEquals(ts[i], it.atT());
      FloatHistogram want = List.of(f1, f2, f3).get(i);
      assertEquals(want, it.atFloatHistogram(null));
    }
    assertEquals(ValueType.NONE, it.next());
  }

  /** A stale marker writes t, zero count/count dods of 0 and the XORed sum, and no buckets. */
  @Test
  void integerChunkEndingInAStaleMarker() {
    Span[] pos = spans(-1, 3);
    Span[] neg = spans(2, 1);
    HistogramAppender app = HistogramAppender.create();
    app = app.append(null, 1000, hist(0, DEFAULT_ZT, pos, neg, null, 10, 1, 12.5, longs(2, 1, -1), longs(3)));
    app = app.append(null, 16000, hist(0, DEFAULT_ZT, pos, neg, null, 15, 2, 20.25, longs(3, 1, -1), longs(5)));
    Histogram stale = new Histogram();
    stale.sum = dev.kiln.tsdb.model.StaleNaN.VALUE;
    HistogramAppender same = app;
    app = app.append(null, 46000, stale);
    assertEquals(same, app, "a stale marker always fits the chunk");
    assertHex("0003007446778c65e3e8c54500a400000000000251bcfe0ea630b1d63f5892f83a98317bfe22000000000010",
        app.chunk());
    SampleIterator it = HistogramChunk.fromBytes(ChunkEncoding.HISTOGRAM, app.chunk().bytes()).iterator(null);
    it.next();
    it.next();
    assertEquals(ValueType.HISTOGRAM, it.next());
    Histogram got = it.atHistogram(null);
    assertEquals(46000, it.atT());
    assertTrue(dev.kiln.tsdb.model.StaleNaN.is(got.sum));
    assertEquals(0, got.positiveBuckets.length);
  }

  @Test
  void floatGaugeChunkEndingInAStaleMarker() {
    FloatHistogram f1 = fhist(3, 0.001, spans(1, 2), spans(0, 1), 4.5, 0.5, -1.25, doubles(1.5, 2.0), doubles(0.5));
    FloatHistogramAppender app = FloatHistogramAppender.create().append(null, -2000, f1);
    FloatHistogram stale = new FloatHistogram();
    stale.counterResetHint = CounterResetHint.GAUGE; // an unknown hint would cut a new chunk
    stale.sum = dev.kiln.tsdb.model.StaleNaN.VALUE;
    app = app.append(null, 178000, stale);
    assertHex("0002c0ff3f50624dd2f1a9fc9c6518c5e83040120000000000003fe0000000000000bff40000000000003ff8"
        + "00000000000040000000000000003fe0000000000000fc02bf20c274013889ffe0ff0010000000000008", app.chunk());
  }

  private static void assertRoundTrip(HistogramChunk c, List<Histogram> want, long[] ts) {
    HistogramChunk read = HistogramChunk.fromBytes(c.encoding(), c.bytes());
    SampleIterator it = read.iterator(null);
    List<Histogram> got = new ArrayList<>();
    for (int i = 0; i < ts.length; i++) {
      assertEquals(ValueType.HISTOGRAM, it.next());
      assertEquals(ts[i], it.atT());
      got.add(it.atHistogram(null));
    }
    assertEquals(ValueType.NONE, it.next());
    for (int i = 0; i < want.size(); i++) {
      Histogram w = want.get(i).copy();
      if (i > 0) {
        w.counterResetHint = CounterResetHint.NOT_COUNTER_RESET;
      }
      assertEquals(w, got.get(i), "sample " + i);
    }
  }

  private static void assertHex(String want, HistogramChunk c) {
    assertEquals(want, HexFormat.of().formatHex(c.bytes()));
    assertArrayEquals(HexFormat.of().parseHex(want), c.bytes());
  }

  static Span[] spans(int... offLen) {
    Span[] s = new Span[offLen.length / 2];
    for (int i = 0; i < s.length; i++) {
      s[i] = new Span(offLen[2 * i], offLen[2 * i + 1]);
    }
    return s;
  }

  static long[] longs(long... v) {
    return v;
  }

  static double[] doubles(double... v) {
    return v;
  }

  static Histogram hist(
      int schema, double zt, Span[] pos, Span[] neg, double[] custom, long count, long zeroCount,
      double sum, long[] pb, long[] nb) {
    Histogram h = new Histogram();
    h.schema = schema;
    h.zeroThreshold = zt;
    h.positiveSpans = pos;
    h.negativeSpans = neg;
    h.customValues = custom;
    h.count = count;
    h.zeroCount = zeroCount;
    h.sum = sum;
    h.positiveBuckets = pb;
    h.negativeBuckets = nb;
    return h;
  }

  static FloatHistogram fhist(
      int schema, double zt, Span[] pos, Span[] neg, double count, double zeroCount, double sum,
      double[] pb, double[] nb) {
    FloatHistogram h = new FloatHistogram();
    h.counterResetHint = CounterResetHint.GAUGE;
    h.schema = schema;
    h.zeroThreshold = zt;
    h.positiveSpans = pos;
    h.negativeSpans = neg;
    h.count = count;
    h.zeroCount = zeroCount;
    h.sum = sum;
    h.positiveBuckets = pb;
    h.negativeBuckets = nb;
    return h;
  }
}
