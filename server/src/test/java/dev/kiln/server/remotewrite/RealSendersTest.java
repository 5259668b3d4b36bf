package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import dev.kiln.scraper.Peer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real agents (Prometheus in agent mode, vmagent) scrape node_exporter and remote-write into Kiln. */
class RealSendersTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private KilnServer kiln;
  private String kilnUrl;

  @BeforeEach
  void start() throws Exception {
    Path cfg = dir.resolve("kiln.yml");
    Files.writeString(cfg, "global: {scrape_interval: 15s}\n");
    kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("kiln-data"), 15 * 86_400_000L, 0, "127.0.0.1", 0, true, false, false,
        120_000, 50_000_000, 300_000, 4, ""));
    kiln.start();
    kilnUrl = "http://127.0.0.1:" + kiln.address().getPort();
  }

  @AfterEach
  void stop() {
    kiln.close();
  }

  /** Polls Kiln until the query returns at least one series, or the deadline passes. */
  private JsonNode await(String query) throws Exception {
    long deadline = System.nanoTime() + 40_000_000_000L;
    JsonNode result = null;
    while (System.nanoTime() < deadline) {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(kilnUrl + "/api/v1/query?query="
          + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
      result = JSON.readTree(body).path("data").path("result");
      if (result.size() > 0) {
        return result;
      }
      Thread.sleep(250);
    }
    return result;
  }

  @Test
  void prometheusAgentRemoteWritesNodeExporter() throws Exception {
    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}")) {
      Path agentCfg = dir.resolve("agent.yml");
      Files.writeString(agentCfg, """
          global: {scrape_interval: 1s}
          scrape_configs:
            - job_name: node
              static_configs: [{targets: ['%s']}]
          remote_write:
            - url: %s/api/v1/write
              queue_config: {batch_send_deadline: 1s}
          """.formatted(ne.address(), kilnUrl));
      try (Peer agent = Peer.start("prometheus", "/-/ready", "--enable-feature=agent", "--config.file=" + agentCfg,
          "--storage.agent.path=" + dir.resolve("agent-data"), "--web.listen-address=127.0.0.1:{port}")) {
        JsonNode up = await("up{job=\"node\"}");
        assertTrue(up.size() == 1, "up of node_exporter arrived through remote write: " + up);
        JsonNode cpu = await("count(node_cpu_seconds_total{job=\"node\"})");
        assertTrue(cpu.size() == 1 && Double.parseDouble(cpu.get(0).get("value").get(1).asText()) >= 8, cpu.toString());
      }
    }
  }

  @Test
  void vmagentRemoteWritesNodeExporter() throws Exception {
    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}")) {
      Path scrapeCfg = dir.resolve("vm.yml");
      Files.writeString(scrapeCfg, """
          global: {scrape_interval: 1s}
          scrape_configs:
            - job_name: node
              static_configs: [{targets: ['%s']}]
          """.formatted(ne.address()));
      try (Peer vm = Peer.start("vmagent", "/health", "-promscrape.config=" + scrapeCfg, "-remoteWrite.url=" + kilnUrl + "/api/v1/write",
          "-remoteWrite.tmpDataPath=" + dir.resolve("vm-data"), "-httpListenAddr=127.0.0.1:{port}", "-remoteWrite.flushInterval=500ms")) {
        JsonNode up = await("up{job=\"node\"}");
        assertTrue(up.size() == 1, "up of node_exporter arrived through vmagent: " + up);
        JsonNode mem = await("node_memory_MemTotal_bytes{job=\"node\"}");
        assertTrue(mem.size() == 1 && Double.parseDouble(mem.get(0).get("value").get(1).asText()) > 0, mem.toString());
      }
    }
  }
}
