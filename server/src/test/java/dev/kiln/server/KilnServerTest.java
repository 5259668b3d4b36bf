package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** Drives a real running Kiln over HTTP, as Grafana and curl do. */
class KilnServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long T = 1_700_000_000_000L;

  @TempDir static Path dir;
  static KilnServer server;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, """
        groups:
          - name: demo
            interval: 1h
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
              - alert: AlwaysFiring
                expr: vector(1)
                labels: {severity: page}
        """);
    Path cfg = dir.resolve("prometheus.yml");
    Files.writeString(cfg, """
        global:
          scrape_interval: 15s
        rule_files: ['rules.yml']
        scrape_configs:
          - job_name: unreachable
            scrape_interval: 1h
            static_configs: [{targets: ['127.0.0.1:1']}]
        """);
    server = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 15 * 86_400_000L, 0, "127.0.0.1", 0, true, false, true,
        120_000, 50_000_000, 300_000, 4, ""));
    var addr = server.start();
    base = "http://127.0.0.1:" + addr.getPort();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!server.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(server.isReady());
    WriteRequest.Builder wr = WriteRequest.newBuilder();
    for (String inst : new String[] {"a", "b"}) {
      TimeSeries.Builder ts = TimeSeries.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue("http_requests_total"))
          .addLabels(Label.newBuilder().setName("instance").setValue(inst))
          .addLabels(Label.newBuilder().setName("job").setValue("api"));
      for (int i = 0; i < 20; i++) {
        ts.addSamples(Sample.newBuilder().setTimestamp(T + i * 15_000L).setValue(i * 10));
      }
      wr.addTimeseries(ts);
    }
    HttpResponse<String> w = post("/api/v1/write", Snappy.compress(wr.build().toByteArray()), "application/x-protobuf");
    assertEquals(204, w.statusCode(), w.body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, byte[] body, String contentType) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> form(String path, String form) throws Exception {
    return post(path, form.getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void scalarAndStringResultsMatchTheContractVectors() throws Exception {
    assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}", get("/api/v1/query?query=1%2B1&time=4").body());
    assertTrue(get("/api/v1/query?query=%22hi%22&time=1.5").body().contains("\"resultType\":\"string\",\"result\":[1.5,\"hi\"]"));
    assertTrue(get("/api/v1/query?query=0/0&time=10").body().contains("[10,\"NaN\"]"));
    assertTrue(get("/api/v1/query?query=vector(1e-7)&time=10").body().contains("\"value\":[10,\"1e-07\"]"));
    assertTrue(get("/api/v1/query?query=scalar(vector(1e-7))&time=10").body().contains("[10,\"0.0000001\"]"));
  }

  @Test
  void rangeQueryOverRemoteWrittenDataWithGrafanaVariables() throws Exception {
    String q = "sum by (job) (rate(http_requests_total[$__rate_interval]))";
    HttpResponse<String> r = form("/api/v1/query_range?step=15", "query=" + enc(q) + "&start=" + (T / 1000 + 60) + "&end=" + (T / 1000 + 120));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode res = JSON.readTree(r.body()).get("data").get("result");
    assertEquals(1, res.size());
    assertEquals("api", res.get(0).get("metric").get("job").asText());
    assertEquals(5, res.get(0).get("values").size());
    assertEquals(2 * 10 / 15.0, Double.parseDouble(res.get(0).get("values").get(0).get(1).asText()), 1e-9);
  }

  @Test
  void errorsHavePrometheusShapeAndStatus() throws Exception {
    HttpResponse<String> bad = get("/api/v1/query?query=" + enc("sum(("));
    assertEquals(400, bad.statusCode());
    JsonNode n = JSON.readTree(bad.body());
    assertEquals("error", n.get("status").asText());
    assertEquals("bad_data", n.get("errorType").asText());
    assertTrue(n.get("error").asText().startsWith("invalid parameter \"query\": 1:"), n.get("error").asText());
    assertEquals("invalid parameter \"query\": 1:1: parse error: no expression found in input",
        JSON.readTree(get("/api/v1/query?query=").body()).get("error").asText());
    HttpResponse<String> points = get("/api/v1/query_range?query=up&start=0&end=100000&step=1");
    assertEquals(400, points.statusCode());
    assertTrue(points.body().contains("exceeded maximum resolution of 11,000 points"));
    assertEquals(400, get("/api/v1/query_range?query=up&start=10&end=0&step=1").statusCode());
    assertEquals(400, get("/api/v1/query?query=up&time=abc").statusCode());
    assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query")).DELETE().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(404, get("/api/v1/does_not_exist").statusCode());
    assertEquals(400, get("/api/v1/series").statusCode());
    assertEquals(400, get("/api/v1/series?match[]=" + enc("{job=~\".*\"}")).statusCode());
  }

  @Test
  void metadataEndpointsForTheQueryEditor() throws Exception {
    JsonNode names = JSON.readTree(get("/api/v1/label/__name__/values").body()).get("data");
    assertTrue(names.toString().contains("http_requests_total"), names.toString());
    JsonNode inst = JSON.readTree(form("/api/v1/label/instance/values", "match[]=" + enc("http_requests_total{job=\"api\"}")).body()).get("data");
    assertEquals("[\"a\",\"b\"]", inst.toString());
    JsonNode labels = JSON.readTree(get("/api/v1/labels?match[]=http_requests_total").body()).get("data");
    assertEquals("[\"__name__\",\"instance\",\"job\"]", labels.toString());
    JsonNode series = JSON.readTree(get("/api/v1/series?match[]=http_requests_total&limit=1").body());
    assertEquals(1, series.get("data").size());
    assertEquals("results truncated due to limit", series.get("warnings").get(0).asText());
    JsonNode build = JSON.readTree(get("/api/v1/status/buildinfo").body()).get("data");
    assertTrue(build.get("version").asText().matches("^\\d+\\.\\d+\\.\\d+$"));
    assertFalse(build.has("features"));
    assertTrue(JSON.readTree(get("/api/v1/status/tsdb").body()).get("data").get("headStats").get("numSeries").asLong() >= 2);
  }

  @Test
  void targetsRulesAndAlerts() throws Exception {
    JsonNode targets = JSON.readTree(get("/api/v1/targets").body()).get("data");
    JsonNode t = targets.get("activeTargets").get(0);
    assertEquals("unreachable", t.get("scrapePool").asText());
    assertEquals("1h", t.get("discoveredLabels").get("__scrape_interval__").asText());
    JsonNode groups = JSON.readTree(get("/api/v1/rules").body()).get("data").get("groups");
    assertEquals("demo", groups.get(0).get("name").asText());
    assertEquals(2, groups.get(0).get("rules").size());
    assertEquals("recording", groups.get(0).get("rules").get(0).get("type").asText());
    assertEquals(1, JSON.readTree(get("/api/v1/rules?type=alert").body()).get("data").get("groups").get(0).get("rules").size());
    assertEquals(400, get("/api/v1/rules?type=nope").statusCode());
    assertTrue(JSON.readTree(get("/api/v1/alerts").body()).get("data").get("alerts").isArray());
  }

  @Test
  void remoteWriteRejectsGarbageWithoutSideEffects() throws Exception {
    byte[] garbage = new byte[1 << 20];
    new java.util.Random(1).nextBytes(garbage);
    assertEquals(400, post("/api/v1/write", garbage, "application/x-protobuf").statusCode());
    byte[] truncated = java.util.Arrays.copyOf(Snappy.compress("hello world, hello world".getBytes()), 5);
    assertEquals(400, post("/api/v1/write", truncated, "application/x-protobuf").statusCode());
    byte[] wrongWire = Snappy.compress(new byte[] {0x0a, 0x05, 0x12, 0x03, 0x08, (byte) 0xff});
    assertEquals(400, post("/api/v1/write", wrongWire, "application/x-protobuf").statusCode());
    assertEquals(200, get("/-/healthy").statusCode());
  }

  @Test
  void lifecycleReloadAndReadiness() throws Exception {
    assertEquals(200, get("/-/ready").statusCode());
    assertEquals(200, form("/-/reload", "").statusCode());
    String self = get("/metrics").body();
    assertTrue(self.contains("prometheus_config_last_reload_successful 1"), "reload metric");
    assertTrue(self.contains("prometheus_tsdb_head_series "), "TSDB metrics under Prometheus's names");
    assertTrue(get("/host/metrics").body().contains("node_cpu_seconds_total{"));
  }
}
