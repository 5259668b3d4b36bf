package dev.kiln.server.otlp;

import static dev.kiln.server.otlp.OtlpTranslatorTest.T_MS;
import static dev.kiln.server.otlp.OtlpTranslatorTest.attr;
import static dev.kiln.server.otlp.OtlpTranslatorTest.gauge;
import static dev.kiln.server.otlp.OtlpTranslatorTest.point;
import static dev.kiln.server.otlp.OtlpTranslatorTest.request;
import static dev.kiln.server.otlp.OtlpTranslatorTest.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.OtlpConfig;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The receiver's HTTP contract: content types, gzip, JSON, 400s that write nothing, all-or-nothing appends. */
class OtlpHandlerTest {
  private final InMemoryStorage storage = new InMemoryStorage();
  private final OtlpStats stats = new OtlpStats();
  private final OtlpHandler handler = new OtlpHandler(storage, Clock.fixed(Instant.ofEpochMilli(T_MS), ZoneOffset.UTC),
      () -> OtlpConfig.DEFAULT, 300_000, stats, 1 << 20);

  private Response post(String contentType, String encoding, byte[] body) throws Exception {
    Map<String, String> h = new HashMap<>();
    if (contentType != null) {
      h.put("content-type", contentType);
    }
    if (encoding != null) {
      h.put("content-encoding", encoding);
    }
    return handler.handle(new Request("POST", "/api/v1/otlp/v1/metrics", Map.of(), h, body));
  }

  private static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  private List<String> samples(String name) {
    List<String> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", name));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        while (it.next() != ValueType.NONE) {
          out.add(s.at().labels() + " " + it.atT() + " " + it.atV());
        }
      }
    }
    return out;
  }

  private static ExportMetricsServiceRequest counterAndGauge() {
    return request(List.of(attr("service.name", "checkout")), InstrumentationScope.getDefaultInstance(),
        sum("orders", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(3)), gauge("queue.depth", "", point(9)));
  }

  @Test
  void protobufIsWrittenAndAnswered200WithAnEmptyBody() throws Exception {
    Response r = post("application/x-protobuf", null, counterAndGauge().toByteArray());
    assertEquals(200, r.status());
    assertEquals(0, r.body().length);
    assertEquals(List.of("{__name__=\"orders_total\", job=\"checkout\"} " + T_MS + " 3.0"), samples("orders_total"));
    assertEquals(List.of("{__name__=\"queue_depth\", job=\"checkout\"} " + T_MS + " 9.0"), samples("queue_depth"));
    assertEquals(2, stats.samplesWritten());
  }

  @Test
  void gzipProtobufAsTheExportersSendIt() throws Exception {
    assertEquals(200, post("application/x-protobuf", "gzip", gzip(counterAndGauge().toByteArray())).status());
    assertEquals(1, samples("orders_total").size());
  }

  @Test
  void json() throws Exception {
    String body = """
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
          "scopeMetrics":[{"scope":{"name":"lib"},"metrics":[
            {"name":"orders","unit":"1","sum":{"aggregationTemporality":2,"isMonotonic":true,
              "dataPoints":[{"timeUnixNano":"%d","asInt":"3","attributes":[{"key":"region","value":{"stringValue":"eu"}}],
                "exemplars":[{"timeUnixNano":"%d","asDouble":1,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}},
            {"name":"temp","unit":"Cel","gauge":{"dataPoints":[{"time_unix_nano":%d,"as_double":21.5}]}},
            {"name":"lat","unit":"s","histogram":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","dataPoints":[
              {"timeUnixNano":"%d","count":"3","sum":0.75,"bucketCounts":["1","2"],"explicitBounds":[0.5]}]}}]}]}]}
        """.formatted(OtlpTranslatorTest.T_NANOS, OtlpTranslatorTest.T_NANOS, OtlpTranslatorTest.T_NANOS, OtlpTranslatorTest.T_NANOS);
    Response r = post("application/json", null, body.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.status(), new String(r.body()));
    assertEquals(List.of("{__name__=\"orders_total\", job=\"checkout\", region=\"eu\"} " + T_MS + " 3.0"), samples("orders_total"));
    assertEquals(List.of("{__name__=\"temp_celsius\", job=\"checkout\"} " + T_MS + " 21.5"), samples("temp_celsius"));
    assertEquals(List.of("{__name__=\"lat_seconds_bucket\", job=\"checkout\", le=\"+Inf\"} " + T_MS + " 3.0",
        "{__name__=\"lat_seconds_bucket\", job=\"checkout\", le=\"0.5\"} " + T_MS + " 1.0"), samples("lat_seconds_bucket"));
    assertEquals(List.of("{__name__=\"lat_seconds_sum\", job=\"checkout\"} " + T_MS + " 0.75"), samples("lat_seconds_sum"));
  }

  @Test
  void unreadableRequestsAre400AndWriteNothing() throws Exception {
    byte[] good = counterAndGauge().toByteArray();
    Response ct = post("application/x-protobuf; charset=binary", null, good);
    assertEquals(400, ct.status());
    assertEquals("unsupported content type: application/x-protobuf; charset=binary, supported: [application/json, application/x-protobuf]\n",
        new String(ct.body()));
    assertEquals(400, post(null, null, good).status());
    Response enc = post("application/x-protobuf", "snappy", good);
    assertEquals("unsupported compression: snappy. Only \"gzip\" or no compression supported\n", new String(enc.body()));
    Response notGzip = post("application/x-protobuf", "gzip", good);
    assertEquals(400, notGzip.status());
    assertTrue(new String(notGzip.body()).startsWith("gzip: "), new String(notGzip.body()));
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    Response proto = post("application/x-protobuf", null, truncated);
    assertEquals(400, proto.status());
    assertTrue(new String(proto.body()).startsWith("proto: "), new String(proto.body()));
    Response json = post("application/json", null, "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":1,".getBytes());
    assertEquals(400, json.status());
    assertTrue(new String(json.body()).startsWith("invalid JSON"), new String(json.body()));
    Response jsonType = post("application/json", null, "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":7}]}]}]}".getBytes());
    assertEquals("resourceMetrics[0].scopeMetrics[0].metrics[0].name: expected a string\n", new String(jsonType.body()));
    assertEquals(0, storage.seriesCount());
  }

  @Test
  void aBombIsStoppedAtTheLimit() throws Exception {
    byte[] zeros = new byte[2 << 20];
    Response r = post("application/x-protobuf", "gzip", gzip(zeros));
    assertEquals(400, r.status());
    assertTrue(new String(r.body()).contains("larger than"), new String(r.body()));
  }

  @Test
  void aRejectedSampleRollsTheWholeRequestBack() throws Exception {
    assertEquals(200, post("application/x-protobuf", null, request(gauge("backwards", "", point(1))).toByteArray()).status());
    ExportMetricsServiceRequest older = request(gauge("fine", "", point(1)),
        gauge("backwards", "", point(2).setTimeUnixNano(OtlpTranslatorTest.T_NANOS - 1_000_000_000L)));
    Response r = post("application/x-protobuf", null, older.toByteArray());
    assertEquals(400, r.status());
    assertEquals("out of order sample: {__name__=\"backwards\"} for series {__name__=\"backwards\"}\n", new String(r.body()));
    assertEquals(List.of(), samples("fine"), "nothing half-written");
    Response future = post("application/x-protobuf", null,
        request(gauge("fine", "", point(1)), gauge("future", "", point(1).setTimeUnixNano(OtlpTranslatorTest.T_NANOS + 3_600_000_000_000L)))
            .toByteArray());
    assertEquals(400, future.status());
    assertEquals("out of bounds for series {__name__=\"future\"}\n", new String(future.body()));
    assertEquals(List.of(), samples("fine"));
    assertEquals(1, storage.seriesCount());
  }

  @Test
  void leftOutMetricsDoNotFailTheRequest() throws Exception {
    ExportMetricsServiceRequest req = request(sum("delta", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, point(1)),
        gauge("kept", "", point(1)));
    assertEquals(200, post("application/x-protobuf", null, req.toByteArray()).status());
    assertEquals(1, samples("kept").size());
    assertTrue(stats.metricsText().contains("kiln_otlp_metrics_dropped_total 1\n"), stats.metricsText());
  }

  @Test
  void anEmptyRequestIsFine() throws Exception {
    assertEquals(200, post("application/x-protobuf", null, new byte[0]).status());
    assertEquals(200, post("application/json", null, "{}".getBytes()).status());
  }
}
