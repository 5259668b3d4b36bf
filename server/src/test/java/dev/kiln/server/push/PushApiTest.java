package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import dev.kiln.scraper.Peer;
import dev.kiln.tsdb.model.Labels;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sends the same pushes to the real Pushgateway and to Kiln and compares the resulting series. */
class PushApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PUSHED = Set.of("batch_done", "batch_seconds", "other");

  @TempDir Path dir;

  private static int send(String base, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** The same request sequence for both servers; returns the status codes. */
  private static String pushAll(String base) throws Exception {
    StringBuilder codes = new StringBuilder();
    codes.append(send(base, "PUT", "/metrics/job/batch/instance/i1", "# TYPE batch_done gauge\nbatch_done 1\n# TYPE batch_seconds gauge\nbatch_seconds{step=\"load\"} 2.5\n")).append(' ');
    codes.append(send(base, "POST", "/metrics/job/batch/instance/i1", "# TYPE batch_seconds gauge\nbatch_seconds{step=\"save\"} 4\nbatch_seconds{step=\"clean\",container=\"\",image=\"\"} 1\n")).append(' ');
    codes.append(send(base, "PUT", "/metrics/job/cleanup/path@base64/L3Zhci90bXA", "other{job=\"ignored\"} 7\n")).append(' ');
    codes.append(send(base, "PUT", "/metrics/job/bad", "with_ts 1 1700000000000\n")).append(' ');
    codes.append(send(base, "PUT", "/metrics/job", "x 1\n")).append(' ');
    codes.append(send(base, "DELETE", "/metrics/job/gone", null));
    return codes.toString();
  }

  private static Map<Labels, Double> parsePushgateway(String text) {
    Map<Labels, Double> out = new TreeMap<>();
    ExpositionParser.parse(text, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void sample(String raw, ParsedSeries s, double v, long t) {
        if (PUSHED.contains(s.metricName())) {
          out.put(s.labels(), v);
        }
      }
    });
    return out;
  }

  @Test
  void kilnStoresWhatThePushgatewayExposes() throws Exception {
    Map<Labels, Double> expected;
    String pgCodes;
    int pgGroups;
    // An explicit persistence file: the package's default is shared by everything on the machine.
    try (Peer pg = Peer.start("prometheus-pushgateway", "/-/ready", "--web.listen-address=127.0.0.1:{port}",
        "--persistence.file=" + dir.resolve("pushgateway.data"))) {
      pgCodes = pushAll(pg.url(""));
      pgGroups = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(pg.url("/api/v1/metrics"))).build(),
          HttpResponse.BodyHandlers.ofString()).body()).get("data").size();
      expected = parsePushgateway(HTTP.send(HttpRequest.newBuilder(URI.create(pg.url("/metrics"))).build(),
          HttpResponse.BodyHandlers.ofString()).body());
    }
    Path cfg = dir.resolve("p.yml");
    Files.writeString(cfg, "global: {scrape_interval: 1h}\n");
    try (KilnServer kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, false, false,
        120_000, 50_000_000, 300_000, 4, ""))) {
      kiln.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!kiln.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String base = "http://127.0.0.1:" + kiln.address().getPort();
      assertEquals(pgCodes, pushAll(base), "same status codes as the Pushgateway");
      kiln.ingestPushesNow();
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
          + URLEncoder.encode("{__name__=~\"batch_done|batch_seconds|other\"}", StandardCharsets.UTF_8))).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Map<Labels, Double> actual = new TreeMap<>();
      for (JsonNode s : JSON.readTree(body).get("data").get("result")) {
        Map<String, String> m = new HashMap<>();
        s.get("metric").properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        actual.put(Labels.of(m), Double.parseDouble(s.get("value").get(1).asText()));
      }
      assertEquals(expected, actual);
      assertTrue(actual.containsKey(Labels.of("__name__", "other", "job", "cleanup", "path", "/var/tmp")));
      assertTrue(body.contains("\"step\":\"clean\"") && !body.contains("\"container\"") && !body.contains("\"image\""),
          "a pushed label with an empty value is stored as no label: " + body);
    }
    // Groups survive a restart.
    try (KilnServer again = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, false, false,
        120_000, 50_000_000, 300_000, 4, ""))) {
      again.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!again.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String list = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + again.address().getPort() + "/api/v1/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(pgGroups, JSON.readTree(list).get("data").size(),
          "the groups the Pushgateway holds, the one refused for timestamps too: " + list);
    }
  }
}
