package dev.kiln.server.otlp;

import static dev.kiln.server.otlp.OtlpTranslatorTest.T_MS;
import static dev.kiln.server.otlp.OtlpTranslatorTest.T_NANOS;
import static dev.kiln.server.otlp.OtlpTranslatorTest.attr;
import static dev.kiln.server.otlp.OtlpTranslatorTest.fmt;
import static dev.kiln.server.otlp.OtlpTranslatorTest.gauge;
import static dev.kiln.server.otlp.OtlpTranslatorTest.histogram;
import static dev.kiln.server.otlp.OtlpTranslatorTest.point;
import static dev.kiln.server.otlp.OtlpTranslatorTest.request;
import static dev.kiln.server.otlp.OtlpTranslatorTest.sum;
import static dev.kiln.server.otlp.OtlpTranslatorTest.translate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.kiln.config.OtlpConfig;
import dev.kiln.config.OtlpConfig.TranslationStrategy;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * OTLP exemplars as Prometheus 3.5's translator gives them ({@code getPromExemplars},
 * {@code addExemplars} and the data point converters of {@code otlptranslator/prometheusremotewrite}).
 */
class OtlpExemplarsTest {
  private static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
  static final String TRACE = "0102030405060708090a0b0c0d0e0f10";
  static final String SPAN = "1112131415161718";

  static io.opentelemetry.proto.metrics.v1.Exemplar.Builder exemplar(double v, long nanos) {
    return io.opentelemetry.proto.metrics.v1.Exemplar.newBuilder().setAsDouble(v).setTimeUnixNano(nanos)
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE))).setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN)));
  }

  private static Labels ids() {
    return Labels.of("span_id", SPAN, "trace_id", TRACE);
  }

  /** Every series' exemplars (float and histogram series), by rendered series. */
  private static Map<String, List<Exemplar>> exemplars(Translation t) {
    Map<String, List<Exemplar>> out = new TreeMap<>();
    t.series().forEach((l, s) -> {
      if (!s.exemplars().isEmpty()) {
        out.put(fmt(l), s.exemplars());
      }
    });
    t.histogramSeries().forEach((l, s) -> {
      if (!s.exemplars().isEmpty()) {
        out.put(fmt(l), s.exemplars());
      }
    });
    return out;
  }

  @Test
  void idsBecomeHexLabelsAndAttributesKeepTheirKeys() throws Exception {
    List<Exemplar> got = OtlpExemplars.convert(List.of(exemplar(1.5, T_NANOS)
        .addFilteredAttributes(attr("http.route", "/x")).addFilteredAttributes(attr("n", AnyValue.newBuilder().setIntValue(7).build()))
        .build()));
    assertEquals(List.of(new Exemplar(Labels.of("http.route", "/x", "n", "7", "span_id", SPAN, "trace_id", TRACE), 1.5, T_MS, true)), got);
  }

  @Test
  void integerValuesZeroIdsAndMissingTimes() throws Exception {
    var e = io.opentelemetry.proto.metrics.v1.Exemplar.newBuilder().setAsInt(-3)
        .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8])).build();
    assertEquals(List.of(new Exemplar(Labels.EMPTY, -3, 0, false)), OtlpExemplars.convert(List.of(e)));
  }

  @Test
  void attributesPastTheRuneLimitAreLeftOutButTheIdsStay() throws Exception {
    // trace_id (8+32) and span_id (7+16) are 63 runes; an attribute of 66 more makes 129, over 128.
    String value = "é".repeat(65);
    List<Exemplar> over = OtlpExemplars.convert(List.of(exemplar(1, T_NANOS).addFilteredAttributes(attr("k", value)).build()));
    assertEquals(ids(), over.get(0).labels());
    List<Exemplar> at = OtlpExemplars.convert(List.of(exemplar(1, T_NANOS).addFilteredAttributes(attr("k", value.substring(1))).build()));
    assertEquals(Labels.of("k", value.substring(1), "span_id", SPAN, "trace_id", TRACE), at.get(0).labels());
  }

  @Test
  void anExemplarWithoutValueIsAnError() {
    var e = io.opentelemetry.proto.metrics.v1.Exemplar.newBuilder().setTimeUnixNano(T_NANOS).build();
    InvalidExemplarException x = assertThrows(InvalidExemplarException.class, () -> OtlpExemplars.convert(List.of(e)));
    assertEquals("unsupported exemplar value type: Empty", x.getMessage());
  }

  @Test
  void sumsKeepTheirExemplarsGaugesDoNot() {
    Translation t = translate(OtlpConfig.DEFAULT, request(
        sum("orders", "", true, CUMULATIVE, point(3).addExemplars(exemplar(1, T_NANOS - 1_000_000))),
        sum("in.flight", "", false, CUMULATIVE, point(2).addExemplars(exemplar(2, T_NANOS))),
        gauge("temp", "", point(20).addExemplars(exemplar(20, T_NANOS)))));
    assertEquals(Map.of(
        "orders_total", List.of(new Exemplar(ids(), 1, T_MS - 1, true)),
        "in_flight", List.of(new Exemplar(ids(), 2, T_MS, true))), exemplars(t));
    assertEquals(2, t.exemplars());
  }

  @Test
  void classicHistogramExemplarsGoToTheFirstBucketHoldingTheirValue() {
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(10).setSum(12.5)
        .addAllExplicitBounds(List.of(0.5, 1.0, 2.5)).addAllBucketCounts(List.of(2L, 3L, 4L, 1L))
        .addExemplars(exemplar(0.2, T_NANOS)).addExemplars(exemplar(1.0, T_NANOS)).addExemplars(exemplar(1.1, T_NANOS))
        .addExemplars(exemplar(7, T_NANOS)).addExemplars(exemplar(Double.NaN, T_NANOS));
    Translation t = translate(OtlpConfig.DEFAULT, request(histogram("lat", "s", CUMULATIVE, pt)));
    assertEquals(Map.of(
        "lat_seconds_bucket{le=\"0.5\"}", List.of(new Exemplar(ids(), 0.2, T_MS, true)),
        "lat_seconds_bucket{le=\"1\"}", List.of(new Exemplar(ids(), 1.0, T_MS, true)),
        "lat_seconds_bucket{le=\"2.5\"}", List.of(new Exemplar(ids(), 1.1, T_MS, true)),
        "lat_seconds_bucket{le=\"+Inf\"}", List.of(new Exemplar(ids(), 7, T_MS, true))), exemplars(t));
    assertEquals(4, t.exemplars());
  }

  @Test
  void histogramBucketsOutOfOrderAreSortedByBound() {
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(3)
        .addAllExplicitBounds(List.of(5.0, 1.0)).addAllBucketCounts(List.of(1L, 1L, 1L)).addExemplars(exemplar(0.5, T_NANOS));
    Translation t = translate(OtlpConfig.DEFAULT, request(histogram("h", "", CUMULATIVE, pt)));
    assertEquals(Map.of("h_bucket{le=\"1\"}", List.of(new Exemplar(ids(), 0.5, T_MS, true))), exemplars(t));
  }

  @Test
  void exponentialAndCustomBucketHistogramsKeepAllExemplarsOnTheirSeries() {
    ExponentialHistogramDataPoint.Builder p = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(2).setScale(0)
        .addExemplars(exemplar(0.3, T_NANOS)).addExemplars(exemplar(9, T_NANOS + 1_000_000));
    p.getPositiveBuilder().setOffset(0).addAllBucketCounts(List.of(1L, 1L));
    Metric exp = Metric.newBuilder().setName("rpc").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(CUMULATIVE).addDataPoints(p)).build();
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(2).setSum(3)
        .addAllExplicitBounds(List.of(1.0)).addAllBucketCounts(List.of(1L, 1L)).addExemplars(exemplar(0.5, T_NANOS));
    OtlpConfig nhcb = new OtlpConfig(TranslationStrategy.UnderscoreEscapingWithSuffixes, List.of(), false, List.of(), false, true, false);
    Translation t = translate(nhcb, request(exp, histogram("lat", "", CUMULATIVE, pt)));
    assertEquals(Map.of(
        "rpc", List.of(new Exemplar(ids(), 0.3, T_MS, true), new Exemplar(ids(), 9, T_MS + 1, true)),
        "lat", List.of(new Exemplar(ids(), 0.5, T_MS, true))), exemplars(t));
  }

  @Test
  void anExemplarWithoutValueEndsItsMetricButKeepsEarlierPoints() {
    var bad = io.opentelemetry.proto.metrics.v1.Exemplar.newBuilder().setTimeUnixNano(T_NANOS);
    Translation t = translate(OtlpConfig.DEFAULT, request(
        sum("c", "", true, CUMULATIVE, point(1, attr("p", "a")), point(2, attr("p", "b")).addExemplars(bad), point(3, attr("p", "c"))),
        gauge("g", "", point(1))));
    assertEquals(List.of("unsupported exemplar value type: Empty"), t.errors());
    assertEquals(List.of("c_total{p=\"a\"}", "c_total{p=\"b\"}", "g"), OtlpTranslatorTest.names(t));
    assertTrue(exemplars(t).isEmpty());
  }
}
