package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.MetricType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's own {@code /metrics}: asked for protobuf it exposes its request latency histogram with
 * native buckets (and its own counters and gauges beside micrometer's); asked for text, classic
 * buckets. The real Prometheus 2.42 with native histograms enabled scrapes it and must store the
 * latency histogram as a native histogram and Kiln's own gauges with their values.
 */
class SelfMetricsScrapeDifferentialTest {
  @TempDir Path dir;

  @Test
  void prometheusScrapesKilnsLatencyHistogramNatively() throws Exception {
    Path kilnConfig = dir.resolve("kiln.yml");
    Files.writeString(kilnConfig, "global: {scrape_interval: 1h}\n");
    try (ServerProcess kiln = ServerProcess.kiln(kilnConfig, Files.createDirectories(dir.resolve("kiln-data")),
        "--enable-feature=native-histograms")) {
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 20; i++) {
        http.send(HttpRequest.newBuilder(URI.create(kiln.url("/api/v1/query?query=1%2B" + i))).build(),
            HttpResponse.BodyHandlers.ofString());
      }
      HttpResponse<byte[]> proto = http.send(HttpRequest.newBuilder(URI.create(kiln.url("/metrics")))
          .header("Accept", FederationDifferentialTest.PROTO).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertTrue(proto.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.google.protobuf"));
      List<MetricFamily> families = FederationDifferentialTest.families(proto.body());
      MetricFamily latency = families.stream().filter(f -> f.getName().equals("prometheus_http_request_duration_seconds"))
          .findFirst().orElseThrow();
      assertEquals(MetricType.HISTOGRAM, latency.getType());
      var query = latency.getMetricList().stream()
          .filter(m -> m.getLabelList().stream().anyMatch(l -> l.getValue().equals("/api/v1/query"))).findFirst().orElseThrow();
      assertEquals(20, query.getHistogram().getSampleCount());
      assertEquals(3, query.getHistogram().getSchema());
      assertTrue(query.getHistogram().getPositiveSpanCount() > 0, "native buckets: " + query.getHistogram());
      assertTrue(query.getHistogram().getBucketCount() >= 9, "classic buckets too");
      assertTrue(families.stream().anyMatch(f -> f.getName().equals("prometheus_config_last_reload_successful")
          && f.getType() == MetricType.GAUGE && f.getMetric(0).getGauge().getValue() == 1));
      String text = http.send(HttpRequest.newBuilder(URI.create(kiln.url("/metrics"))).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
      assertTrue(text.contains("prometheus_http_request_duration_seconds_bucket{handler=\"/api/v1/query\",le=\"0.1\"}"), text);

      Path promConfig = dir.resolve("prom.yml");
      Files.writeString(promConfig, "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: kiln\n"
          + "    static_configs: [{targets: ['" + URI.create(kiln.url("/")).getAuthority() + "']}]\n");
      try (ServerProcess prometheus = ServerProcess.prometheus(promConfig, Files.createDirectories(dir.resolve("prom-data")),
          "--enable-feature=native-histograms")) {
        ApiClient prom = new ApiClient(prometheus);
        String q = "/api/v1/query?query=" + ApiClient.encode("prometheus_http_request_duration_seconds{job=\"kiln\",handler=\"/api/v1/query\"}");
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode result = prom.get(q).data().path("result");
        while (result.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
          result = prom.get(q).data().path("result");
        }
        assertEquals(1, result.size(), result.toString());
        assertEquals("20", result.path(0).path("histogram").path(1).path("count").asText(), result.toString());
        JsonNode reload = prom.get("/api/v1/query?query=" + ApiClient.encode("prometheus_config_last_reload_successful{job=\"kiln\"}"))
            .data().path("result");
        assertEquals("1", reload.path(0).path("value").path(1).asText(), reload.toString());
      }
    }
  }
}
