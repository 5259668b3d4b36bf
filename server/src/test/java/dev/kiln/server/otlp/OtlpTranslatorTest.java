package dev.kiln.server.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.OtlpConfig;
import dev.kiln.config.OtlpConfig.TranslationStrategy;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Translation cases from Prometheus 3's {@code prometheusremotewrite} tests ({@code helper_test.go}
 * {@code TestCreateAttributes}, {@code number_data_points_test.go}, {@code histograms_test.go},
 * {@code metrics_to_prw_test.go}).
 */
class OtlpTranslatorTest {
  static final long T_NANOS = 1_700_000_000_123_456_789L;
  static final long T_MS = 1_700_000_000_123L;

  static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue attr(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  static ExportMetricsServiceRequest request(List<KeyValue> resource, InstrumentationScope scope, Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(resource))
        .addScopeMetrics(ScopeMetrics.newBuilder().setScope(scope).setSchemaUrl("https://schema.com").addAllMetrics(List.of(metrics))))
        .build();
  }

  static ExportMetricsServiceRequest request(Metric... metrics) {
    return request(List.of(), InstrumentationScope.getDefaultInstance(), metrics);
  }

  static NumberDataPoint.Builder point(double v, KeyValue... attrs) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setAsDouble(v).addAllAttributes(List.of(attrs));
  }

  static Metric gauge(String name, String unit, NumberDataPoint.Builder... points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (NumberDataPoint.Builder p : points) {
      g.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setUnit(unit).setGauge(g).build();
  }

  static Metric sum(String name, String unit, boolean monotonic, AggregationTemporality temporality, NumberDataPoint.Builder... points) {
    Sum.Builder s = Sum.newBuilder().setIsMonotonic(monotonic).setAggregationTemporality(temporality);
    for (NumberDataPoint.Builder p : points) {
      s.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setUnit(unit).setSum(s).build();
  }

  static Translation translate(OtlpConfig cfg, ExportMetricsServiceRequest req) {
    return new OtlpTranslator(cfg, 300_000).translate(req);
  }

  /** Prometheus 3's rendering of a series: {@code name{a="b"}}, UTF-8 names quoted inside the braces. */
  static String fmt(Labels l) {
    String name = l.metricName();
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (!l.name(i).equals(Labels.METRIC_NAME)) {
        String n = l.name(i).matches("[a-zA-Z_][a-zA-Z0-9_]*") ? l.name(i) : "\"" + l.name(i) + "\"";
        parts.add(n + "=\"" + l.value(i).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
      }
    }
    if (name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      return parts.isEmpty() ? name : name + "{" + String.join(", ", parts) + "}";
    }
    parts.add(0, "\"" + name + "\"");
    return "{" + String.join(", ", parts) + "}";
  }

  static List<String> names(Translation t) {
    List<String> out = new ArrayList<>();
    t.series().keySet().forEach(l -> out.add(fmt(l)));
    return out;
  }

  /** Series as "labels" -> [t=v, ...] for compact assertions. */
  static Map<String, List<String>> dump(Translation t) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Map.Entry<Labels, Translation.Samples> e : t.series().entrySet()) {
      List<String> s = new ArrayList<>();
      for (int i = 0; i < e.getValue().size(); i++) {
        double v = e.getValue().value(i);
        s.add(e.getValue().timestamp(i) + "=" + (StaleNaN.is(v) ? "stale" : Double.toString(v)));
      }
      out.put(fmt(e.getKey()), s);
    }
    return out;
  }

  static OtlpConfig config(List<String> promote, boolean promoteAll, List<String> ignore, boolean scope) {
    return new OtlpConfig(TranslationStrategy.UnderscoreEscapingWithSuffixes, promote, promoteAll, ignore, false, false, scope);
  }

  // --- TestCreateAttributes ---

  static final List<KeyValue> RESOURCE = List.of(attr("service.name", "service name"), attr("service.instance.id", "service ID"),
      attr("existent-attr", "resource value"), attr("metric-attr", "resource value"), attr("job", "resource value"),
      attr("instance", "resource value"));
  static final InstrumentationScope SCOPE = InstrumentationScope.newBuilder().setName("test-scope").setVersion("1.0.0")
      .addAttributes(attr("attr1", "value1")).addAttributes(attr("attr2", "value2")).build();

  private static Labels attributesCase(OtlpConfig cfg, InstrumentationScope scope) {
    Translation t = translate(cfg, request(RESOURCE, scope,
        gauge("test_metric", "", point(1, attr("metric-attr", "metric value"), attr("metric-attr-other", "metric value other")))));
    for (Labels l : t.series().keySet()) {
      if (l.metricName().equals("test_metric")) {
        return l;
      }
    }
    throw new AssertionError("no test_metric in " + names(t));
  }

  private static final String BASE = "instance=\"service ID\", job=\"service name\", metric_attr=\"metric value\", "
      + "metric_attr_other=\"metric value other\"";
  private static final String SCOPE_LABELS = ", otel_scope_attr1=\"value1\", otel_scope_attr2=\"value2\", "
      + "otel_scope_name=\"test-scope\", otel_scope_schema_url=\"https://schema.com\", otel_scope_version=\"1.0.0\"";

  @Test
  void withoutPromotionAndWithoutScope() {
    assertEquals("test_metric{" + BASE + "}", fmt(attributesCase(config(List.of(), false, List.of(), false), SCOPE)));
  }

  @Test
  void withScopePromotion() {
    assertEquals("test_metric{" + BASE + SCOPE_LABELS + "}", fmt(attributesCase(config(List.of(), false, List.of(), true), SCOPE)));
  }

  @Test
  void scopePromotionWithoutScopeAddsNothing() {
    assertEquals("test_metric{" + BASE + "}",
        fmt(attributesCase(config(List.of(), false, List.of(), true), InstrumentationScope.getDefaultInstance())));
  }

  @Test
  void promotedResourceAttributesDoNotOverrideMetricAttributesOrJobInstance() {
    assertEquals("test_metric{existent_attr=\"resource value\", " + BASE + SCOPE_LABELS + "}",
        fmt(attributesCase(config(List.of("non-existent-attr", "existent-attr", "metric-attr", "job", "instance"), false, List.of(), true),
            SCOPE)));
  }

  @Test
  void promoteAllResourceAttributes() {
    assertEquals("test_metric{existent_attr=\"resource value\", " + BASE + SCOPE_LABELS
            + ", service_instance_id=\"service ID\", service_name=\"service name\"}",
        fmt(attributesCase(config(List.of(), true, List.of(), true), SCOPE)));
  }

  @Test
  void promoteAllButIgnored() {
    assertEquals("test_metric{existent_attr=\"resource value\", " + BASE + SCOPE_LABELS + ", service_name=\"service name\"}",
        fmt(attributesCase(config(List.of(), true, List.of("service.instance.id"), true), SCOPE)));
  }

  @Test
  void attributesThatCollideAfterEscapingJoinTheirValuesInKeyOrder() {
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("g", "", point(1, attr("b.x", "2"), attr("b_x", "3"), attr("a", "1")))));
    assertEquals(Map.of("g{a=\"1\", b_x=\"2;3\"}", List.of(T_MS + "=1.0")), dump(t));
  }

  @Test
  void serviceNamespaceJoinsTheJobName() {
    Translation t = translate(OtlpConfig.DEFAULT, request(List.of(attr("service.name", "api"), attr("service.namespace", "shop"),
        attr("service.instance.id", "pod-1")), InstrumentationScope.getDefaultInstance(), gauge("g", "", point(1))));
    assertEquals(Map.of("g{instance=\"pod-1\", job=\"shop/api\"}", List.of(T_MS + "=1.0")), dump(t));
  }

  @Test
  void attributeValuesOfEveryType() {
    AnyValue list = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
        .addValues(AnyValue.newBuilder().setStringValue("a<b")).addValues(AnyValue.newBuilder().setIntValue(2))).build();
    AnyValue map = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(attr("z", AnyValue.newBuilder().setBoolValue(true).build()))
        .addValues(attr("a", AnyValue.newBuilder().setDoubleValue(0.5).build()))).build();
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("g", "", point(1,
        attr("i", AnyValue.newBuilder().setIntValue(-42).build()), attr("d", AnyValue.newBuilder().setDoubleValue(1e-7).build()),
        attr("big", AnyValue.newBuilder().setDoubleValue(1e21).build()), attr("f", AnyValue.newBuilder().setDoubleValue(2.5).build()),
        attr("b", AnyValue.newBuilder().setBoolValue(false).build()), attr("l", list), attr("m", map)))));
    assertEquals("g{b=\"false\", big=\"1e+21\", d=\"1e-7\", f=\"2.5\", i=\"-42\", l=\"[\\\"a\\\\u003cb\\\",2]\", "
        + "m=\"{\\\"a\\\":0.5,\\\"z\\\":true}\"}", names(t).get(0));
  }

  // --- number data points ---

  @Test
  void monotonicCumulativeSumIsACounterWithTotal() {
    Translation t = translate(OtlpConfig.DEFAULT, request(sum("http.server.requests", "{request}", true,
        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(7, attr("http.method", "GET")))));
    assertEquals(Map.of("http_server_requests_total{http_method=\"GET\"}", List.of(T_MS + "=7.0")), dump(t));
  }

  @Test
  void nonMonotonicSumIsAGaugeWithoutTotal() {
    Translation t = translate(OtlpConfig.DEFAULT, request(sum("queue.size", "By", false,
        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(3))));
    assertEquals(Map.of("queue_size_bytes", List.of(T_MS + "=3.0")), dump(t));
  }

  @Test
  void integerValuesAndGaugeRatio() {
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("cpu.utilization", "1",
        NumberDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setAsInt(5))));
    assertEquals(Map.of("cpu_utilization_ratio", List.of(T_MS + "=5.0")), dump(t));
  }

  @Test
  void noRecordedValueIsTheStalenessMarker() {
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("g", "", point(4).setFlags(1)),
        sum("c", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(4).setFlags(1))));
    assertEquals(Map.of("c_total", List.of(T_MS + "=stale"), "g", List.of(T_MS + "=stale")), dump(t));
  }

  @Test
  void deltaAndUnspecifiedTemporalityAreLeftOutAndTheRestIsKept() {
    Translation t = translate(OtlpConfig.DEFAULT, request(
        sum("test_metric_1", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(1)),
        sum("test_metric_2", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, point(1)),
        sum("test_metric_3", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED, point(1))));
    assertEquals(Map.of("test_metric_1_total", List.of(T_MS + "=1.0")), dump(t));
    assertEquals(List.of("invalid temporality and type combination for metric \"test_metric_2\"",
        "invalid temporality and type combination for metric \"test_metric_3\""), t.errors());
  }

  @Test
  void metricsWithoutDataPointsAreReported() {
    Translation t = translate(OtlpConfig.DEFAULT, request(Metric.newBuilder().setName("empty").setGauge(Gauge.getDefaultInstance()).build(),
        Metric.newBuilder().setName("none").build()));
    assertEquals(Map.of(), dump(t));
    assertEquals(List.of("empty data points. empty is dropped",
        "could not get aggregation temporality for none as it has unsupported metric type Empty"), t.errors());
  }

  // --- histograms and summaries ---

  static Metric histogram(String name, String unit, AggregationTemporality temporality, HistogramDataPoint.Builder pt) {
    return Metric.newBuilder().setName(name).setUnit(unit)
        .setHistogram(Histogram.newBuilder().setAggregationTemporality(temporality).addDataPoints(pt)).build();
  }

  @Test
  void explicitBucketHistogramBecomesCumulativeBucketsSumAndCount() {
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(10).setSum(12.5)
        .addAllExplicitBounds(List.of(0.005, 1.0, 2.5)).addAllBucketCounts(List.of(2L, 3L, 4L, 1L)).addAttributes(attr("route", "/"));
    Translation t = translate(OtlpConfig.DEFAULT, request(histogram("http.server.duration", "s",
        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, pt)));
    Map<String, List<String>> want = new LinkedHashMap<>();
    want.put("http_server_duration_seconds_bucket{le=\"+Inf\", route=\"/\"}", List.of(T_MS + "=10.0"));
    want.put("http_server_duration_seconds_bucket{le=\"0.005\", route=\"/\"}", List.of(T_MS + "=2.0"));
    want.put("http_server_duration_seconds_bucket{le=\"1\", route=\"/\"}", List.of(T_MS + "=5.0"));
    want.put("http_server_duration_seconds_bucket{le=\"2.5\", route=\"/\"}", List.of(T_MS + "=9.0"));
    want.put("http_server_duration_seconds_count{route=\"/\"}", List.of(T_MS + "=10.0"));
    want.put("http_server_duration_seconds_sum{route=\"/\"}", List.of(T_MS + "=12.5"));
    assertEquals(new TreeMap<>(want), dump(t));
  }

  @Test
  void histogramWithoutSumHasNoSumSeriesAndStaleFlagMarksEverySeries() {
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(1)
        .addExplicitBounds(1).addAllBucketCounts(List.of(1L, 0L)).setFlags(1);
    Translation t = translate(OtlpConfig.DEFAULT, request(histogram("h", "", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, pt)));
    assertEquals(Map.of("h_bucket{le=\"+Inf\"}", List.of(T_MS + "=stale"), "h_bucket{le=\"1\"}", List.of(T_MS + "=stale"),
        "h_count", List.of(T_MS + "=stale")), dump(t));
  }

  @Test
  void deltaHistogramIsLeftOut() {
    Translation t = translate(OtlpConfig.DEFAULT, request(histogram("h", "", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
        HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(1))));
    assertEquals(Map.of(), dump(t));
    assertEquals(List.of("invalid temporality and type combination for metric \"h\""), t.errors());
  }

  @Test
  void aHistogramAttributeNamedLeMakesAnInvalidSeries() {
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(1).addAttributes(attr("le", "x"));
    Translation t = translate(OtlpConfig.DEFAULT, request(histogram("h", "", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, pt)));
    assertEquals(Map.of("h_count{le=\"x\"}", List.of(T_MS + "=1.0")), dump(t));
    assertEquals(1, t.invalidSeriesSamples());
  }

  @Test
  void summaryBecomesSumCountAndQuantiles() {
    SummaryDataPoint.Builder pt = SummaryDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(4).setSum(8)
        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(1.5))
        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(3));
    Translation t = translate(OtlpConfig.DEFAULT, request(Metric.newBuilder().setName("rpc.duration").setUnit("ms")
        .setSummary(Summary.newBuilder().addDataPoints(pt)).build()));
    assertEquals(Map.of("rpc_duration_milliseconds{quantile=\"0.5\"}", List.of(T_MS + "=1.5"),
        "rpc_duration_milliseconds{quantile=\"0.99\"}", List.of(T_MS + "=3.0"),
        "rpc_duration_milliseconds_count", List.of(T_MS + "=4.0"), "rpc_duration_milliseconds_sum", List.of(T_MS + "=8.0")), dump(t));
  }

  @Test
  void exponentialHistogramsBecomeNativeHistograms() {
    ExponentialHistogramDataPoint.Builder p1 = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setCount(7).setScale(1)
        .addAttributes(attr("attr", "test_attr"));
    p1.getPositiveBuilder().setOffset(-1).addAllBucketCounts(List.of(4L, 2L));
    ExponentialHistogramDataPoint.Builder p2 = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS + 1_000_000).setCount(7)
        .setScale(1).addAttributes(attr("attr", "test_attr"));
    p2.getPositiveBuilder().setOffset(-1).addAllBucketCounts(List.of(4L, 2L, 1L));
    Metric exp = Metric.newBuilder().setName("test_hist").setUnit("s").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE).addDataPoints(p1).addDataPoints(p2)).build();
    Translation t = translate(OtlpConfig.DEFAULT, request(exp, gauge("g", "", point(1))));
    assertEquals(Map.of("g", List.of(T_MS + "=1.0")), dump(t));
    assertEquals(List.of(), t.errors());
    assertEquals(1, t.histogramSeries().size());
    Map.Entry<Labels, Translation.HistogramSamples> e = t.histogramSeries().entrySet().iterator().next();
    assertEquals("test_hist_seconds{attr=\"test_attr\"}", fmt(e.getKey()));
    assertEquals(2, e.getValue().size());
    assertEquals(T_MS, e.getValue().timestamp(0));
    assertEquals(T_MS + 1, e.getValue().timestamp(1));
    assertEquals(1, e.getValue().histogram(0).schema);
    assertEquals(List.of(new dev.kiln.tsdb.histogram.Span(0, 2)), List.of(e.getValue().histogram(0).positiveSpans));
    assertEquals(2, t.histograms());
  }

  @Test
  void scalesBelowMinusFourAreReported() {
    Metric exp = Metric.newBuilder().setName("coarse").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setScale(-5))).build();
    Translation t = translate(OtlpConfig.DEFAULT, request(exp));
    assertEquals(0, t.histograms());
    assertEquals(List.of("cannot convert exponential to native histogram. Scale must be >= -4, was -5"), t.errors());
  }

  @Test
  void convertHistogramsToNhcbWritesOneNativeHistogramSeries() {
    OtlpConfig nhcb = new OtlpConfig(TranslationStrategy.UnderscoreEscapingWithoutSuffixes, List.of(), false, List.of(), false, true, false);
    Translation t = translate(nhcb, request(otelExplicitHistogram("test_histogram", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)));
    assertEquals(Map.of(), dump(t));
    Map.Entry<Labels, Translation.HistogramSamples> e = t.histogramSeries().entrySet().iterator().next();
    assertEquals("test_histogram{test_label=\"test_value\"}", fmt(e.getKey()));
    assertEquals(-53, e.getValue().histogram(0).schema);
    assertEquals(TS_MS, e.getValue().timestamp(0));
  }

  // --- names ---

  @Test
  void translationStrategies() {
    Metric m = sum("http.server.request.count", "{request}", true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
        point(1, attr("http.method", "GET")));
    Metric h = gauge("process.memory", "By", point(2));
    Map<TranslationStrategy, String> want = Map.of(
        TranslationStrategy.UnderscoreEscapingWithSuffixes, "[http_server_request_count_total{http_method=\"GET\"}, process_memory_bytes]",
        TranslationStrategy.UnderscoreEscapingWithoutSuffixes, "[http_server_request_count{http_method=\"GET\"}, process_memory]",
        TranslationStrategy.NoUTF8EscapingWithSuffixes,
        "[{\"http.server.request.count_total\", \"http.method\"=\"GET\"}, {\"process.memory_bytes\"}]",
        TranslationStrategy.NoTranslation, "[{\"http.server.request.count\", \"http.method\"=\"GET\"}, {\"process.memory\"}]");
    for (TranslationStrategy s : TranslationStrategy.values()) {
      OtlpConfig cfg = new OtlpConfig(s, List.of(), false, List.of(), false, false, false);
      assertEquals(want.get(s), names(translate(cfg, request(m, h))).toString(), s.name());
    }
  }

  @Test
  void metricNamesThatEscapeToNothingAreReported() {
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("@#$%", "", point(1))));
    assertEquals(Map.of(), dump(t));
    assertEquals(List.of("normalization for metric \"@#$%\" resulted in empty name"), t.errors());
  }

  @Test
  void anEmptyAttributeKeyMakesAnInvalidSeries() {
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("g", "", point(1, attr("", "x")), point(2, attr("ok", "y")))));
    assertEquals(Map.of("g{ok=\"y\"}", List.of(T_MS + "=2.0")), dump(t));
    assertEquals(1, t.invalidSeriesSamples());
  }

  // --- target_info ---

  @Test
  void targetInfoCarriesTheNonIdentifyingResourceAttributes() {
    List<KeyValue> res = List.of(attr("service.name", "test-service"), attr("service.instance.id", "test-instance"),
        attr("host.name", "test-host"));
    Translation t = translate(OtlpConfig.DEFAULT, request(res, InstrumentationScope.getDefaultInstance(), gauge("g", "", point(1))));
    assertEquals(Map.of("g{instance=\"test-instance\", job=\"test-service\"}", List.of(T_MS + "=1.0"),
        "target_info{host_name=\"test-host\", instance=\"test-instance\", job=\"test-service\"}", List.of(T_MS + "=1.0")), dump(t));
  }

  @Test
  void keepIdentifyingResourceAttributesOnTargetInfo() {
    List<KeyValue> res = List.of(attr("service.name", "test-service"), attr("service.namespace", "ns"),
        attr("service.instance.id", "id1"), attr("host.name", "h"));
    OtlpConfig cfg = new OtlpConfig(TranslationStrategy.UnderscoreEscapingWithSuffixes, List.of(), false, List.of(), true, false, false);
    Translation t = translate(cfg, request(res, InstrumentationScope.getDefaultInstance(), gauge("g", "", point(1))));
    assertTrue(dump(t).containsKey("target_info{host_name=\"h\", instance=\"id1\", job=\"ns/test-service\", service_instance_id=\"id1\", "
        + "service_name=\"test-service\", service_namespace=\"ns\"}"), dump(t).toString());
  }

  @Test
  void noTargetInfoWithOnlyIdentifyingAttributesOrWithoutJobAndInstance() {
    Translation onlyIds = translate(OtlpConfig.DEFAULT, request(List.of(attr("service.name", "s"), attr("service.instance.id", "i")),
        InstrumentationScope.getDefaultInstance(), gauge("g", "", point(1))));
    assertEquals(1, onlyIds.series().size());
    Translation noJob = translate(OtlpConfig.DEFAULT, request(List.of(attr("host.name", "h")),
        InstrumentationScope.getDefaultInstance(), gauge("g", "", point(1))));
    assertEquals(Map.of("g", List.of(T_MS + "=1.0")), dump(noJob));
  }

  @Test
  void targetInfoSamplesSpanTheBatchEveryHalfLookbackDelta() {
    long min = 60_000_000_000L;
    List<KeyValue> res = List.of(attr("service.name", "s"), attr("host.name", "h"));
    ExportMetricsServiceRequest req = request(res, InstrumentationScope.getDefaultInstance(),
        gauge("g", "", point(1).setTimeUnixNano(T_NANOS), point(2).setTimeUnixNano(T_NANOS + 6 * min)));
    Translation t = new OtlpTranslator(OtlpConfig.DEFAULT, 5 * 60_000).translate(req);
    long ms = 60_000;
    assertEquals(List.of(T_MS + "=1.0", (T_MS + 150_000) + "=1.0", (T_MS + 300_000) + "=1.0", (T_MS + 6 * ms) + "=1.0"),
        dump(t).get("target_info{host_name=\"h\", job=\"s\"}"));
  }

  @Test
  void timestampsAreTruncatedToMilliseconds() {
    Translation t = translate(OtlpConfig.DEFAULT, request(gauge("g", "", point(1).setTimeUnixNano(1_999_999L))));
    assertEquals(Map.of("g", List.of("1=1.0")), dump(t));
  }

  @Test
  void unsignedCountsConvertAsGoDoes() {
    assertEquals(1.8446744073709552E19, OtlpTranslator.unsigned(-1L));
    assertEquals(9.223372036854775808E18, OtlpTranslator.unsigned(Long.MIN_VALUE));
    assertEquals(42.0, OtlpTranslator.unsigned(42));
  }

  // --- metrics_to_prw_test.go TestTemporality (Settings{}: escaping, no suffixes; delta not allowed) ---

  private static final OtlpConfig NO_SUFFIXES = new OtlpConfig(TranslationStrategy.UnderscoreEscapingWithoutSuffixes, List.of(), false,
      List.of(), false, false, false);
  private static final long TS_MS = 100_000;

  private static Metric otelSum(String name, AggregationTemporality temporality) {
    return sum(name, "", false, temporality, point(5, attr("test_label", "test_value")).setTimeUnixNano(TS_MS * 1_000_000));
  }

  private static Metric otelExplicitHistogram(String name, AggregationTemporality temporality) {
    return histogram(name, "", temporality, HistogramDataPoint.newBuilder().setTimeUnixNano(TS_MS * 1_000_000).setCount(20).setSum(30)
        .addAllBucketCounts(List.of(10L, 10L, 0L)).addAllExplicitBounds(List.of(1.0, 2.0)).addAttributes(attr("test_label", "test_value")));
  }

  private static Map<String, List<String>> promClassicHistogram(String name) {
    return Map.of(name + "_bucket{le=\"1\", test_label=\"test_value\"}", List.of(TS_MS + "=10.0"),
        name + "_bucket{le=\"2\", test_label=\"test_value\"}", List.of(TS_MS + "=20.0"),
        name + "_bucket{le=\"+Inf\", test_label=\"test_value\"}", List.of(TS_MS + "=20.0"),
        name + "_count{test_label=\"test_value\"}", List.of(TS_MS + "=20.0"),
        name + "_sum{test_label=\"test_value\"}", List.of(TS_MS + "=30.0"));
  }

  @Test
  void temporalityAllCumulative() {
    Translation t = translate(NO_SUFFIXES, request(otelSum("test_metric_1", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE),
        otelSum("test_metric_2", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)));
    assertEquals(Map.of("test_metric_1{test_label=\"test_value\"}", List.of(TS_MS + "=5.0"),
        "test_metric_2{test_label=\"test_value\"}", List.of(TS_MS + "=5.0")), dump(t));
    assertEquals(List.of(), t.errors());
  }

  @Test
  void temporalityDeltaHistogramWithBucketsNotAllowed() {
    Translation t = translate(NO_SUFFIXES, request(otelExplicitHistogram("test_histogram_1", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA),
        otelExplicitHistogram("test_histogram_2", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)));
    assertEquals(new TreeMap<>(promClassicHistogram("test_histogram_2")), dump(t));
    assertEquals(List.of("invalid temporality and type combination for metric \"test_histogram_1\""), t.errors());
  }

  @Test
  void temporalityDeltaExponentialHistogramNotAllowed() {
    Metric delta = Metric.newBuilder().setName("test_histogram_1").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
        .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(TS_MS * 1_000_000).setCount(1).setSum(5))).build();
    Translation t = translate(NO_SUFFIXES, request(delta));
    assertEquals(List.of("invalid temporality and type combination for metric \"test_histogram_1\""), t.errors());
    assertEquals(0, t.histograms());
  }

  @Test
  void summaryAndGaugeHaveNoTemporality() {
    SummaryDataPoint.Builder pt = SummaryDataPoint.newBuilder().setTimeUnixNano(TS_MS * 1_000_000).setCount(9).setSum(18)
        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(2)).addAttributes(attr("test_label", "test_value"));
    Translation t = translate(NO_SUFFIXES, request(Metric.newBuilder().setName("test_summary_1").setSummary(Summary.newBuilder().addDataPoints(pt)).build(),
        gauge("test_gauge_1", "", point(5, attr("test_label", "test_value")).setTimeUnixNano(TS_MS * 1_000_000))));
    assertEquals(Map.of("test_summary_1_sum{test_label=\"test_value\"}", List.of(TS_MS + "=18.0"),
        "test_summary_1_count{test_label=\"test_value\"}", List.of(TS_MS + "=9.0"),
        "test_summary_1{quantile=\"0.5\", test_label=\"test_value\"}", List.of(TS_MS + "=2.0"),
        "test_gauge_1{test_label=\"test_value\"}", List.of(TS_MS + "=5.0")), dump(t));
  }

  /** TestFromMetrics: target_info from the earliest to the latest sample, one every lookback delta / 2 between. */
  @Test
  void targetInfoSamplesAsPrometheusTestsThem() {
    long lookbackNanos = 300_000_000_000L;
    List<KeyValue> res = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      res.add(attr("resource-attr-" + i, "value-" + i));
    }
    res.add(attr("service.name", "test-service"));
    res.add(attr("service.namespace", "test-namespace"));
    res.add(attr("service.instance.id", "id1234"));
    Metric[] gauges = new Metric[3];
    for (int i = 0; i < 3; i++) {
      NumberDataPoint.Builder[] points = new NumberDataPoint.Builder[6];
      for (int k = 0; k < 6; k++) {
        points[k] = point(1.23, attr("series-attr-1", "v1"), attr("series-attr-2", "v2")).setTimeUnixNano(T_NANOS + k * lookbackNanos / 4);
      }
      gauges[i] = gauge("gauge-" + (i + 1), "unit", points);
    }
    Translation t = new OtlpTranslator(NO_SUFFIXES, 300_000).translate(request(res, InstrumentationScope.getDefaultInstance(), gauges));
    List<String> info = null;
    int count = 0;
    for (Map.Entry<String, List<String>> e : dump(t).entrySet()) {
      if (e.getKey().startsWith("target_info{")) {
        count++;
        info = e.getValue();
        assertTrue(e.getKey().contains("job=\"test-namespace/test-service\"") && e.getKey().contains("instance=\"id1234\"")
            && !e.getKey().contains("service_"), e.getKey());
      }
    }
    assertEquals(1, count);
    assertEquals(List.of(T_MS + "=1.0", (T_MS + 150_000) + "=1.0", (T_MS + 300_000) + "=1.0", (T_MS + 375_000) + "=1.0"), info);
    assertEquals(3 + 1, t.series().size());
  }
}
