package dev.kiln.server.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.scraper.Peer;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln scrapes the real node_exporter and remote-writes to the real VictoriaMetrics (Debian
 * packages): the series arrive with Kiln's external labels, and VictoriaMetrics and Kiln agree on
 * how many CPU series there are.
 */
class RemoteWriteToVictoriaMetricsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static JsonNode query(String base, String q) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
        + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
    return JSON.readTree(body).path("data").path("result");
  }

  private static JsonNode await(String base, String q) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    JsonNode r = query(base, q);
    while (r.size() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(500);
      r = query(base, q);
    }
    return r;
  }

  @Test
  void scrapedSeriesReachVictoriaMetrics() throws Exception {
    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}");
        Peer vm = Peer.start("victoria-metrics", "/health", "-httpListenAddr=127.0.0.1:{port}",
            "-storageDataPath=" + dir.resolve("vm"), "-search.latencyOffset=0s", "-search.disableCache")) {
      Path cfg = dir.resolve("kiln.yml");
      Files.writeString(cfg, """
          global: {scrape_interval: 1s, external_labels: {cluster: test-eu1}}
          scrape_configs:
            - job_name: node
              static_configs: [{targets: ['%s']}]
          remote_write:
            - url: http://%s/api/v1/write
              queue_config: {batch_send_deadline: 500ms}
          """.formatted(ne.address(), vm.address()));
      try (KilnServer kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("kiln-data"), 15 * 86_400_000L, 0,
          "127.0.0.1", 0, false, false, false, 120_000, 50_000_000, 300_000, 4, ""))) {
        kiln.start();
        String kilnUrl = "http://127.0.0.1:" + kiln.address().getPort();
        String vmUrl = "http://" + vm.address();
        JsonNode up = await(vmUrl, "up{job=\"node\",cluster=\"test-eu1\"}");
        assertEquals(1, up.size(), "up of node_exporter arrived with the external label: " + up);
        JsonNode vmCpu = await(vmUrl, "count(node_cpu_seconds_total{job=\"node\"})");
        JsonNode kilnCpu = await(kilnUrl, "count(node_cpu_seconds_total{job=\"node\"})");
        assertTrue(vmCpu.size() == 1 && kilnCpu.size() == 1, vmCpu + " " + kilnCpu);
        assertEquals(kilnCpu.get(0).get("value").get(1).asText(), vmCpu.get(0).get("value").get(1).asText());
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(kilnUrl + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("prometheus_remote_storage_samples_total{"), "sender metrics exposed");
      }
    }
  }
}
