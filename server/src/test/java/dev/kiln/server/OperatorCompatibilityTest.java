package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.scraper.Peer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kiln process started with the command line the Prometheus Operator builds (v2.55 and v3.x
 * flags), the config-reloader's way of reloading (POST /-/reload under the route prefix, and
 * SIGHUP), and rule files laid out one file per PrometheusRule in a directory named by a glob.
 */
class OperatorCompatibilityTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Process kiln;
  private String base;

  @AfterEach
  void stop() throws Exception {
    if (kiln != null) {
      kiln.destroy();
      kiln.waitFor();
    }
  }

  private static final String RULE = """
      groups:
        - name: %s
          rules:
            - record: %s
              expr: vector(1)
      """;

  private HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int ruleGroups() throws Exception {
    return JSON.readTree(send("GET", "/prom/api/v1/rules").body()).path("data").path("groups").size();
  }

  private String metric(String name) throws Exception {
    for (String line : send("GET", "/prom/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  @Test
  void operatorCommandLineRoutePrefixReloadAndRuleDirectories() throws Exception {
    Path rules = dir.resolve("rules/prometheus-k8s-rulefiles-0");
    Files.createDirectories(rules);
    Files.writeString(rules.resolve("default-a-1.yaml"), RULE.formatted("a", "rule_a"));
    Files.writeString(rules.resolve("monitoring-b-2.yaml"), RULE.formatted("b", "rule_b"));
    Path cfg = dir.resolve("config_out/prometheus.env.yaml");
    Files.createDirectories(cfg.getParent());
    String good = """
        global: {scrape_interval: 30s, evaluation_interval: 1s, external_labels: {prometheus: monitoring/k8s, prometheus_replica: prometheus-k8s-0}}
        rule_files: ['%s/*.yaml']
        scrape_configs: []
        storage: {tsdb: {retention: {time: 48h}}}
        """.formatted(rules.getParent().resolve("prometheus-k8s-rulefiles-0"));
    Files.writeString(cfg, good);
    Path web = dir.resolve("web_config/web-config.yaml");
    Files.createDirectories(web.getParent());
    Files.writeString(web, "tls_server_config: {}\nhttp_server_config: {http2: true, headers: {X-Content-Type-Options: nosniff}}\n");
    int port = Peer.freePort();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.kiln.server.Main",
        "--config.file=" + cfg,
        "--web.console.templates=/etc/prometheus/consoles",
        "--web.console.libraries=/etc/prometheus/console_libraries",
        "--web.enable-lifecycle",
        "--web.page-title=Kube Prometheus",
        "--web.max-connections=100",
        "--web.enable-remote-write-receiver",
        "--web.enable-otlp-receiver",
        "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest,io.prometheus.write.v2.Request",
        "--enable-feature=metadata-wal-records",
        "--enable-feature=exemplar-storage,native-histograms,no-such-feature",
        "--web.external-url=http://prometheus.example.com/prom",
        "--web.route-prefix=/prom",
        "--log.level=warn",
        "--log.format=json",
        "--storage.tsdb.wal-compression",
        "--storage.tsdb.retention.time=24h",
        "--storage.tsdb.retention.size=1GB",
        "--storage.tsdb.path=" + dir.resolve("prometheus"),
        "--storage.tsdb.max-block-duration=2h",
        "--storage.tsdb.min-block-duration=2h",
        "--web.enable-admin-api",
        "--rules.alert.for-outage-tolerance=1h",
        "--rules.alert.for-grace-period=10m",
        "--rules.alert.resend-delay=2m",
        "--query.lookback-delta=5m",
        "--query.max-samples=1000000",
        "--query.max-concurrency=10",
        "--query.timeout=1m",
        "--web.config.file=" + web,
        "--web.listen-address=127.0.0.1:" + port));
    Path log = dir.resolve("kiln.log");
    kiln = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    base = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + 30_000_000_000L;
    int ready = 0;
    while (System.nanoTime() < deadline && ready != 200) {
      assertTrue(kiln.isAlive(), () -> "kiln exited: " + read(log));
      try {
        ready = send("GET", "/prom/-/ready").statusCode();
      } catch (java.io.IOException e) {
        Thread.sleep(100);
      }
    }
    assertEquals(200, ready, () -> read(log));
    assertTrue(read(log).contains("Unknown option for --enable-feature option=no-such-feature"), () -> read(log));

    // Every route lives under the prefix; the root redirects to it; UI links carry the external URL's path.
    assertEquals(404, send("GET", "/-/ready").statusCode());
    assertEquals(404, send("GET", "/api/v1/query?query=1").statusCode());
    HttpResponse<String> root = send("GET", "/");
    assertEquals(302, root.statusCode());
    assertEquals("/prom", root.headers().firstValue("Location").orElse(""));
    HttpResponse<String> page = send("GET", "/prom/graph");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<title>Kube Prometheus</title>"));
    assertTrue(page.body().contains("href=\"/prom/static/uPlot.min.css\"") && page.body().contains("const PREFIX = '/prom';"));
    assertEquals(200, send("GET", "/prom/static/uPlot.min.css").statusCode());
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""), "web config headers applied");
    JsonNode flags = JSON.readTree(send("GET", "/prom/api/v1/status/flags").body()).path("data");
    assertEquals("/prom", flags.path("web.route-prefix").asText());
    assertEquals("2m", flags.path("rules.alert.resend-delay").asText());
    assertEquals("2d", flags.path("storage.tsdb.retention.time").asText(), "the file's retention wins over the flag's 24h");
    assertEquals("true", flags.path("web.enable-otlp-receiver").asText());
    assertTrue(send("POST", "/prom/api/v1/otlp/v1/metrics").statusCode() != 404, "the OTLP route is under the prefix too");

    // Rule files: one per PrometheusRule, found through the glob.
    assertEquals(2, ruleGroups());
    assertEquals("1", metric("prometheus_config_last_reload_successful"));

    // SIGHUP, as the reloader's signal strategy sends it.
    Files.writeString(rules.resolve("monitoring-c-3.yaml"), RULE.formatted("c", "rule_c"));
    assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(kiln.pid())).start().waitFor());
    deadline = System.nanoTime() + 10_000_000_000L;
    while (ruleGroups() != 3 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(3, ruleGroups(), "SIGHUP reloaded the rule directory");

    // POST /-/reload with a bad config: 500, metric 0, old config (3 groups) keeps running.
    String before = metric("prometheus_config_last_reload_success_timestamp_seconds");
    Files.writeString(cfg, good + "scrape_configs: oops\n");
    HttpResponse<String> bad = send("POST", "/prom/-/reload");
    assertEquals(500, bad.statusCode(), bad.body());
    assertEquals("0", metric("prometheus_config_last_reload_successful"));
    assertEquals(before, metric("prometheus_config_last_reload_success_timestamp_seconds"));
    assertEquals(3, ruleGroups());
    Files.delete(rules.resolve("monitoring-c-3.yaml"));
    Files.writeString(cfg, good);
    assertEquals(200, send("POST", "/prom/-/reload").statusCode());
    assertEquals("1", metric("prometheus_config_last_reload_successful"));
    assertEquals(2, ruleGroups());
  }

  @Test
  void badWebConfigStopsStartupWithExitCodeOne() throws Exception {
    Path web = dir.resolve("web.yml");
    Files.writeString(web, "http_server_config: {headers: {Server: kiln}}\n");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "dev.kiln.server.Main", "--web.config.file=" + web,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:0")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(1, p.waitFor(), out);
    assertTrue(out.contains("Unable to validate web configuration file") && out.contains("HTTP header \"Server\" can not be configured"), out);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
