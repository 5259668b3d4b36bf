package dev.kiln.server.api;

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
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/format_query} of Kiln and of the real Prometheus (the Debian package) side by
 * side, over every query of Prometheus's PromQL test scripts plus long dashboard and alert
 * queries that need splitting: wherever Prometheus formats a query, Kiln must give the same text.
 * Queries that Prometheus rejects (syntax newer than the packaged version) are not compared, and
 * one known change between versions is allowed for: Prometheus 3 prints number literals in plain
 * decimal ({@code 1136239445}) where the packaged 2.x prints the shortest {@code %g} form
 * ({@code 1.136239445e+09}).
 */
class FormatQueryAgainstPrometheusTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EVAL = Pattern.compile(
      "^eval\\S*\\s+(?:instant\\s+at\\s+\\S+|range\\s+from\\s+\\S+\\s+to\\s+\\S+\\s+step\\s+\\S+)\\s+(.+)$");

  @TempDir Path dir;

  @Test
  void kilnFormatsEveryQueryAsPrometheusDoes() throws Exception {
    Set<String> queries = new LinkedHashSet<>(longQueries());
    Path testdata = Paths.get(System.getProperty("promql.testdata"));
    try (Stream<Path> files = Files.list(testdata)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".test")).sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          Matcher m = EVAL.matcher(line.strip());
          if (m.matches()) {
            queries.add(m.group(1));
          }
        }
      }
    }
    Path cfg = dir.resolve("kiln.yml");
    Files.writeString(cfg, "global: {scrape_interval: 15s}\n");
    Files.writeString(dir.resolve("prometheus.yml"), "global: {scrape_interval: 15s}\n");
    try (KilnServer kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("kiln-data"), 15 * 86_400_000L, 0,
            "127.0.0.1", 0, true, false, false, 120_000, 50_000_000, 300_000, 4, ""));
        Peer prometheus = Peer.start("prometheus", "/-/ready", "--config.file=" + dir.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:{port}")) {
      kiln.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!kiln.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String kilnUrl = "http://127.0.0.1:" + kiln.address().getPort();
      String promUrl = "http://" + prometheus.address();
      int compared = 0;
      List<String> differences = new ArrayList<>();
      for (String q : queries) {
        JsonNode expected = format(promUrl, q);
        if (!expected.path("status").asText().equals("success")) {
          continue;
        }
        JsonNode actual = format(kilnUrl, q);
        compared++;
        String wanted = plainNumbers(expected.path("data").asText());
        if (!wanted.equals(actual.path("data").asText())) {
          differences.add(q + "\n  Prometheus: " + expected.path("data") + "\n  Kiln:       " + actual);
        }
      }
      assertEquals(List.of(), differences);
      assertTrue(compared > 1000, "compared only " + compared + " queries");
    }
  }

  private static final Pattern EXPONENT_NUMBER = Pattern.compile("(?<![\\w.])(\\d+(?:\\.\\d+)?e[+-]\\d+)");

  /** Rewrites numbers printed in exponent form as Prometheus 3 prints them: plain decimal. */
  static String plainNumbers(String formatted) {
    Matcher m = EXPONENT_NUMBER.matcher(formatted);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, new java.math.BigDecimal(m.group(1)).stripTrailingZeros().toPlainString());
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static JsonNode format(String base, String query) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/format_query"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
        .build();
    return JSON.readTree(HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Dashboard and alert queries long enough to be split over several lines. */
  private static List<String> longQueries() {
    return List.of(
        "(node_filesystem_avail_bytes{job=\"node\",fstype!=\"\"} / node_filesystem_size_bytes{job=\"node\",fstype!=\"\"}"
            + " * 100 < 40 and predict_linear(node_filesystem_avail_bytes{job=\"node\",fstype!=\"\"}[6h], 24*60*60) < 0"
            + " and node_filesystem_readonly{job=\"node\",fstype!=\"\"} == 0)",
        "1 - ((node_memory_MemAvailable_bytes{job=\"node\"} or (node_memory_Buffers_bytes{job=\"node\"}"
            + " + node_memory_Cached_bytes{job=\"node\"} + node_memory_MemFree_bytes{job=\"node\"}"
            + " + node_memory_Slab_bytes{job=\"node\"}) ) / node_memory_MemTotal_bytes{job=\"node\"})",
        "min by (job, integration) (rate(alertmanager_notifications_failed_total{job=\"alertmanager\", integration=~\".*\"}[5m])"
            + " / rate(alertmanager_notifications_total{job=\"alertmanager\", integration=\"~.*\"}[5m])) > 0.01",
        "histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket{job=\"apiserver\","
            + " verb!~\"WATCH|CONNECT\"}[5m]))) > 1",
        "sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{job=\"kubelet\", image!=\"\", container!=\"POD\"}[5m]))"
            + " / on (namespace, pod) group_left (node) kube_pod_info{job=\"kube-state-metrics\"}",
        "-histogram_quantile(0.99, sum by (le) (rate(foo_bucket{some_long_label_name=\"some long label value\"}[5m] offset 1h)))",
        "max_over_time(rate(demo_api_request_duration_seconds_count{instance=\"demo.example.com:443\", job=\"demo\"}[1m])[1h:1m] @ 1700000000 offset 5m)",
        "topk(5, count_values(\"version\", label_replace(build_info{job=~\"api|web|worker\"}, \"v\", \"$1\", \"version\", \"v(.*)\"))) unless ignoring (version) absent(up)");
  }
}
