package dev.kiln.scraper.parse;

import static dev.kiln.scraper.parse.ExpositionSink.NO_TIMESTAMP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtobufParserTest {
  /** What the parser delivered, one entry per sample or histogram, with the series labels. */
  record Got(Labels labels, double value, Histogram h, FloatHistogram fh, long t) {}

  static final class Collector implements ProtobufSink {
    final List<Got> got = new ArrayList<>();
    final Map<String, MetricType> types = new HashMap<>();
    final Map<String, String> helps = new HashMap<>();
    final List<Labels> byEntry = new ArrayList<>();
    final Map<String, Integer> keys = new HashMap<>();
    int newSeries;

    @Override
    public int cached(byte[] buf, int start, int end) {
      return keys.getOrDefault(new String(buf, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1), -1);
    }

    @Override
    public int newSeries(byte[] buf, int start, int end, ParsedSeries series) {
      newSeries++;
      byEntry.add(series.labels());
      keys.put(new String(buf, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1), byEntry.size() - 1);
      return byEntry.size() - 1;
    }

    @Override
    public void sample(int entry, double value, long t) {
      got.add(new Got(byEntry.get(entry), value, null, null, t));
    }

    @Override
    public void histogram(int entry, Histogram h, FloatHistogram fh, long t) {
      got.add(new Got(byEntry.get(entry), Double.NaN, h, fh, t));
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
      types.put(family, type);
      helps.put(family, help);
    }

    List<String> series() {
      return got.stream().map(g -> g.labels().toString()).toList();
    }
  }

  private static final ProtobufParser.Options NATIVE = new ProtobufParser.Options(true, false);
  private static final ProtobufParser.Options NATIVE_AND_CLASSIC = new ProtobufParser.Options(true, true);
  private static final ProtobufParser.Options CLASSIC = new ProtobufParser.Options(false, false);

  private static Collector parse(ProtobufParser.Options o, Pb... families) {
    byte[] body = Pb.delimited(families);
    Collector c = new Collector();
    ProtobufParser.parse(body, body.length, o, c);
    return c;
  }

  private static Pb family(String name, int type, Pb... metrics) {
    Pb f = Pb.msg().string(1, name).string(2, "help of " + name).uint(3, type);
    for (Pb m : metrics) {
      f.msg(4, m);
    }
    return f;
  }

  @Test
  void countersGaugesAndUntypedAreOneSampleEachWithTheirTimestamps() {
    Collector c = parse(NATIVE,
        family("requests_total", 0, Pb.msg().label("code", "200").msg(3, Pb.msg().dbl(1, 17)),
            Pb.msg().label("code", "500").label("path", "").msg(3, Pb.msg().dbl(1, 2)).int64(6, 1234567)),
        family("temperature", 1, Pb.msg().msg(2, Pb.msg().dbl(1, -3.5))),
        family("something_untyped", 3, Pb.msg().msg(5, Pb.msg().dbl(1, 42)).int64(6, 0)));
    assertEquals(List.of("{__name__=\"requests_total\", code=\"200\"}", "{__name__=\"requests_total\", code=\"500\"}",
        "{__name__=\"temperature\"}", "{__name__=\"something_untyped\"}"), c.series());
    assertEquals(17, c.got.get(0).value());
    assertEquals(NO_TIMESTAMP, c.got.get(0).t());
    assertEquals(1234567, c.got.get(1).t());
    assertEquals(-3.5, c.got.get(2).value());
    assertEquals(NO_TIMESTAMP, c.got.get(3).t(), "a timestamp of 0 means none, as in Prometheus");
    assertEquals(MetricType.COUNTER, c.types.get("requests_total"));
    assertEquals(MetricType.GAUGE, c.types.get("temperature"));
    assertEquals(MetricType.UNKNOWN, c.types.get("something_untyped"));
    assertEquals("help of temperature", c.helps.get("temperature"));
  }

  @Test
  void summariesYieldCountSumAndQuantiles() {
    Pb s = Pb.msg().uint(1, 10).dbl(2, 4.5)
        .msg(3, Pb.msg().dbl(1, 0.5).dbl(2, 0.3))
        .msg(3, Pb.msg().dbl(1, 1).dbl(2, 0.9))
        .msg(4, Pb.msg().int64(1, 1700000000)); // created timestamp: no series
    Collector c = parse(NATIVE, family("rpc_seconds", 2, Pb.msg().label("svc", "a").msg(4, s)));
    assertEquals(List.of("{__name__=\"rpc_seconds_count\", svc=\"a\"}", "{__name__=\"rpc_seconds_sum\", svc=\"a\"}",
        "{__name__=\"rpc_seconds\", quantile=\"0.5\", svc=\"a\"}", "{__name__=\"rpc_seconds\", quantile=\"1.0\", svc=\"a\"}"),
        c.series());
    assertEquals(List.of(10.0, 4.5, 0.3, 0.9), c.got.stream().map(Got::value).toList());
  }

  @Test
  void classicHistogramsGetAnInfBucketWhenMissingAndPreferFloatCounts() {
    Pb h = Pb.msg().uint(1, 7).dbl(2, 12.5)
        .msg(3, Pb.msg().uint(1, 2).dbl(2, 0.25))
        .msg(3, Pb.msg().uint(1, 5).dbl(2, 1))
        .msg(15, Pb.msg().int64(1, 1700000000));
    Collector c = parse(NATIVE, family("latency_seconds", 4, Pb.msg().msg(7, h)));
    assertEquals(List.of("{__name__=\"latency_seconds_count\"}", "{__name__=\"latency_seconds_sum\"}",
        "{__name__=\"latency_seconds_bucket\", le=\"0.25\"}", "{__name__=\"latency_seconds_bucket\", le=\"1.0\"}",
        "{__name__=\"latency_seconds_bucket\", le=\"+Inf\"}"), c.series());
    assertEquals(List.of(7.0, 12.5, 2.0, 5.0, 7.0), c.got.stream().map(Got::value).toList());

    Pb f = Pb.msg().dbl(4, 3.5).dbl(2, 1).msg(3, Pb.msg().dbl(4, 1.5).dbl(2, Double.POSITIVE_INFINITY));
    Collector fc = parse(NATIVE, family("float_seconds", 5, Pb.msg().msg(7, f)));
    assertEquals(List.of("{__name__=\"float_seconds_count\"}", "{__name__=\"float_seconds_sum\"}",
        "{__name__=\"float_seconds_bucket\", le=\"+Inf\"}"), fc.series(), "an explicit +Inf bucket ends the series");
    assertEquals(List.of(3.5, 1.0, 1.5), fc.got.stream().map(Got::value).toList());
    assertEquals(MetricType.GAUGE_HISTOGRAM, fc.types.get("float_seconds"));
  }

  /** An integer native histogram with classic buckets too; counts 2, 0, 1 | 3 in two spans. */
  private static Pb nativeHistogram(boolean packed) {
    Pb h = Pb.msg().uint(1, 9).dbl(2, 10.25).sint(5, 3).dbl(6, 0.001).uint(7, 1)
        .msg(12, Pb.msg().sint(1, -1).uint(2, 3))
        .msg(12, Pb.msg().sint(1, 2).uint(2, 1))
        .msg(9, Pb.msg().sint(1, 0).uint(2, 1))
        .msg(3, Pb.msg().uint(1, 4).dbl(2, 1));
    if (packed) {
      h.packedSint(13, 2, -2, 1, 2).packedSint(10, 2);
    } else {
      h.sint(13, 2).sint(13, -2).sint(13, 1).sint(13, 2).sint(10, 2);
    }
    return h;
  }

  @Test
  void nativeHistogramsAreOneHistogramSampleCompactedAsPrometheusDoes() {
    for (boolean packed : new boolean[] {false, true}) {
      Collector c = parse(NATIVE, family("rpc_duration_seconds", 4,
          Pb.msg().label("svc", "a").msg(7, nativeHistogram(packed)).int64(6, 555)));
      assertEquals(List.of("{__name__=\"rpc_duration_seconds\", svc=\"a\"}"), c.series());
      Got g = c.got.get(0);
      assertNull(g.fh());
      assertEquals(555, g.t());
      Histogram h = g.h();
      assertEquals(3, h.schema);
      assertEquals(0.001, h.zeroThreshold);
      assertEquals(1, h.zeroCount);
      assertEquals(9, h.count);
      assertEquals(10.25, h.sum);
      assertEquals(CounterResetHint.UNKNOWN, h.counterResetHint);
      // Compact(0) drops the empty middle bucket: spans (-1,1) (1,1) (2,1), counts 2, 1, 3.
      assertArrayEquals(new Span[] {new Span(-1, 1), new Span(1, 1), new Span(2, 1)}, h.positiveSpans, "packed=" + packed);
      assertArrayEquals(new long[] {2, -1, 2}, h.positiveBuckets);
      assertArrayEquals(new Span[] {new Span(0, 1)}, h.negativeSpans);
      assertArrayEquals(new long[] {2}, h.negativeBuckets);
      h.validate();
    }
  }

  @Test
  void classicBucketsOfANativeHistogramComeAfterItOnlyWhenAskedFor() {
    Pb m = Pb.msg().msg(7, nativeHistogram(true));
    assertEquals(List.of("{__name__=\"x\"}", "{__name__=\"x_count\"}", "{__name__=\"x_sum\"}",
        "{__name__=\"x_bucket\", le=\"1.0\"}", "{__name__=\"x_bucket\", le=\"+Inf\"}"),
        parse(NATIVE_AND_CLASSIC, family("x", 4, m)).series());
    assertEquals(List.of("{__name__=\"x_count\"}", "{__name__=\"x_sum\"}",
        "{__name__=\"x_bucket\", le=\"1.0\"}", "{__name__=\"x_bucket\", le=\"+Inf\"}"),
        parse(CLASSIC, family("x", 4, m)).series(), "without native histograms the classic series are stored");
  }

  @Test
  void floatNativeHistogramsAndGaugeHistograms() {
    Pb h = Pb.msg().dbl(4, 6.5).dbl(2, -2).sint(5, 0).dbl(6, 0.5).dbl(8, 0.5)
        .msg(12, Pb.msg().sint(1, 0).uint(2, 2)).packedDoubles(14, 2.5, 3.5);
    Collector c = parse(NATIVE, family("temp_histogram", 5, Pb.msg().msg(7, h)));
    FloatHistogram fh = c.got.get(0).fh();
    assertNull(c.got.get(0).h());
    assertEquals(6.5, fh.count);
    assertEquals(0.5, fh.zeroCount);
    assertEquals(CounterResetHint.GAUGE, fh.counterResetHint);
    assertArrayEquals(new double[] {2.5, 3.5}, fh.positiveBuckets);
    assertArrayEquals(new Span[] {new Span(0, 2)}, fh.positiveSpans);
  }

  @Test
  void anEmptyNativeHistogramIsMarkedByANoOpSpan() {
    Pb h = Pb.msg().uint(1, 0).dbl(2, 0).sint(5, 3).msg(12, Pb.msg().sint(1, 0).uint(2, 0));
    Collector c = parse(NATIVE, family("empty", 4, Pb.msg().msg(7, h)));
    assertEquals(1, c.got.size());
    Histogram e = c.got.get(0).h();
    assertEquals(0, e.positiveSpans.length, "compaction drops the no-op span");
    assertEquals(0, e.count);
  }

  @Test
  void seriesKeysAreStableSoASecondPageIsServedFromTheCache() {
    Collector c = new Collector();
    byte[] body = Pb.delimited(family("a_total", 0, Pb.msg().label("z", "1").label("b", "2").msg(3, Pb.msg().dbl(1, 1))));
    ProtobufParser.parse(body, body.length, NATIVE, c);
    ProtobufParser.parse(body, body.length, NATIVE, c);
    assertEquals(1, c.newSeries);
    assertEquals(2, c.got.size());
    assertEquals(Labels.of("__name__", "a_total", "b", "2", "z", "1"), c.got.get(1).labels());
  }

  @Test
  void emptyFamiliesAreSkippedAndUnknownFieldsIgnored() {
    Collector c = parse(NATIVE, family("nothing", 1),
        family("g", 1, Pb.msg().msg(2, Pb.msg().dbl(1, 1).string(9, "x")).string(99, "future")).string(42, "x"));
    assertEquals(List.of("{__name__=\"g\"}"), c.series());
    assertFalse(c.types.containsKey("nothing"));
  }

  @Test
  void malformedBodiesAreRejected() {
    byte[] good = Pb.delimited(family("g", 1, Pb.msg().msg(2, Pb.msg().dbl(1, 1))));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertThrows(ExpositionException.class, () -> ProtobufParser.parse(truncated, truncated.length, NATIVE, new Collector()));
    ExpositionException unit = assertThrows(ExpositionException.class,
        () -> parse(NATIVE, family("g_seconds", 1, Pb.msg().msg(2, Pb.msg().dbl(1, 1))).string(5, "bytes")));
    assertEquals("unit \"bytes\" not a suffix of metric \"g_seconds\"", unit.getMessage());
    ExpositionException type = assertThrows(ExpositionException.class, () -> parse(NATIVE, family("g", 9, Pb.msg())));
    assertEquals("unknown metric type for metric \"g\": 9", type.getMessage());
    assertThrows(ExpositionException.class,
        () -> parse(NATIVE, family("g", 1, Pb.msg().label("a", "1").label("a", "2").msg(2, Pb.msg().dbl(1, 1)))));
  }

  @Test
  void contentTypeDetection() {
    assertTrue(ProtobufParser.isProtobuf(
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"));
    assertTrue(ProtobufParser.isProtobuf("application/vnd.google.protobuf"));
    assertFalse(ProtobufParser.isProtobuf("application/vnd.google.protobuf; proto=other.Message"));
    assertFalse(ProtobufParser.isProtobuf("text/plain; version=0.0.4"));
    assertFalse(ProtobufParser.isProtobuf(null));
  }
}
