package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance checklist of the Grafana data source contract, against a running Kiln. */
class GrafanaChecklistTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long START = 1_700_000_000L;

  @TempDir static Path dir;
  static KilnServer server;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    StringBuilder rules = new StringBuilder("groups:\n");
    for (String g : new String[] {"a", "b", "c"}) {
      rules.append("  - name: ").append(g).append("\n    interval: 1h\n    rules:\n      - record: ").append(g)
          .append(":up\n        expr: up\n");
    }
    Files.writeString(dir.resolve("rules.yml"), rules.toString());
    Files.writeString(dir.resolve("p.yml"), "global: {scrape_interval: 15s}\nrule_files: [rules.yml]\n");
    server = new KilnServer(new KilnOptions(dir.resolve("p.yml"), dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, false,
        false, 120_000, 50_000_000, 300_000, 4, ""));
    server.start();
    base = "http://127.0.0.1:" + server.address().getPort();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!server.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Appender app = server.storage().appender();
    for (int s = 0; s < 200; s++) {
      Labels l = Labels.of("__name__", "up", "job", s % 2 == 0 ? "api" : "db", "env", s % 4 == 0 ? "prod" : "dev",
          "instance", "host" + s, "http.status", s % 3 == 0 ? "200" : "500");
      long ref = 0;
      for (int i = 0; i <= 240; i++) {
        ref = app.append(ref, l, (START + i * 15L) * 1000, s % 5 == 0 ? Double.NaN : i);
      }
    }
    app.append(0, Labels.of("__name__", "special", "kind", "inf"), START * 1000, Double.POSITIVE_INFINITY);
    app.append(0, Labels.of("__name__", "special", "kind", "ninf"), START * 1000, Double.NEGATIVE_INFINITY);
    app.append(0, Labels.of("__name__", "special", "kind", "one"), START * 1000, 1.0);
    app.commit();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> form(String pathAndQuery, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void item1to3QueryGetPostAndBuildinfo() throws Exception {
    String expected = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}";
    assertEquals(expected, form("/api/v1/query", "query=1%2B1&time=4").body());
    assertEquals(expected, get("/api/v1/query?query=1%2B1&time=4").body());
    JsonNode data = JSON.readTree(form("/api/v1/status/buildinfo", "").body()).get("data");
    for (String f : new String[] {"version", "revision", "branch", "buildUser", "buildDate", "goVersion"}) {
      assertTrue(data.get(f).isTextual(), f);
    }
    assertFalse(data.has("application"));
  }

  @Test
  void item4to7RangeParamsFromBodyUrlAndIgnoredExtras() throws Exception {
    String q = "query=" + enc("sum by (job) (rate(up[1m0s]))");
    String times = "start=" + (START + 600) + "&end=" + (START + 1200) + "&step=15";
    String inBody = form("/api/v1/query_range", q + "&" + times).body();
    String inUrl = form("/api/v1/query_range?" + q + "&" + times, "").body();
    String mixed = form("/api/v1/query_range?" + times, q).body();
    String extras = form("/api/v1/query_range?dedup=true&partial_response=false&max_source_resolution=5m", q + "&" + times).body();
    assertEquals(inBody, inUrl);
    assertEquals(inBody, mixed);
    assertEquals(inBody, extras);
    JsonNode result = JSON.readTree(inBody).get("data");
    assertEquals("matrix", result.get("resultType").asText());
    for (JsonNode series : result.get("result")) {
      long k = 0;
      for (JsonNode v : series.get("values")) {
        assertEquals(START + 600 + 15 * k++, v.get(0).asLong());
        assertTrue(v.get(1).isTextual());
      }
    }
    String bodyWins = form("/api/v1/query?query=" + enc("vector(2)") + "&time=10", "query=" + enc("vector(1)")).body();
    assertTrue(bodyWins.contains("\"1\""), bodyWins);
  }

  @Test
  void item8TimeoutsAndItem9Values() throws Exception {
    assertEquals(200, get("/api/v1/query?query=up&time=" + START + "&timeout=60s").statusCode());
    assertEquals(200, get("/api/v1/query?query=up&time=" + START + "&timeout=60").statusCode());
    String expensive = enc("count(count_over_time({__name__=~\".+\"}[1h:1s]))");
    HttpResponse<String> slow = get("/api/v1/query_range?query=" + expensive + "&start=" + START + "&end=" + (START + 3600) + "&step=15&timeout=1ms");
    assertEquals(503, slow.statusCode(), slow.body());
    assertEquals("timeout", JSON.readTree(slow.body()).get("errorType").asText());
    String special = get("/api/v1/query?query=special&time=" + (START + 1)).body();
    assertTrue(special.contains("\"+Inf\"") && special.contains("\"-Inf\"") && special.contains(",\"1\"]"), special);
    assertTrue(get("/api/v1/query?query=up%7Binstance%3D%22host0%22%7D&time=" + (START + 1)).body().contains("\"NaN\""));
  }

  @Test
  void item10And31GrafanaDurations() throws Exception {
    for (String d : new String[] {"1m0s", "1h0m0s", "4m0s", "10m15s", "1d"}) {
      HttpResponse<String> r = form("/api/v1/query_range", "query=" + enc("rate(up[" + d + "])") + "&start=" + START + "&end=" + (START + 600) + "&step=15");
      assertEquals(200, r.statusCode(), d + ": " + r.body());
    }
  }

  @Test
  void item11PointsLimit() throws Exception {
    assertEquals(200, get("/api/v1/query_range?query=vector(1)&start=0&end=11000&step=1").statusCode());
    HttpResponse<String> over = get("/api/v1/query_range?query=vector(1)&start=0&end=11001&step=1");
    assertEquals(400, over.statusCode());
    assertEquals("bad_data", JSON.readTree(over.body()).get("errorType").asText());
  }

  @Test
  void item13And26ResultShapesAndKeyOrder() throws Exception {
    JsonNode v = JSON.readTree(get("/api/v1/query?query=up&time=" + (START + 60)).body()).get("data");
    assertEquals("vector", v.get("resultType").asText());
    for (JsonNode s : v.get("result")) {
      List<String> keys = new ArrayList<>();
      s.get("metric").fieldNames().forEachRemaining(keys::add);
      List<String> sorted = new ArrayList<>(keys);
      sorted.sort(null);
      assertEquals(sorted, keys, "metric keys in ascending byte order");
      assertTrue(s.get("value").get(0).isNumber() && s.get("value").get(1).isTextual());
    }
    assertEquals("matrix", JSON.readTree(get("/api/v1/query?query=" + enc("up[5m]") + "&time=" + (START + 600)).body()).get("data").get("resultType").asText());
    assertTrue(get("/api/v1/query?query=%22abc%22&time=10").body().contains("\"resultType\":\"string\",\"result\":[10,\"abc\"]"));
  }

  @Test
  void item14to20LabelsValuesSeries() throws Exception {
    JsonNode names = JSON.readTree(get("/api/v1/label/__name__/values?limit=40000&start=" + START + "&end=" + (START + 3600)).body());
    assertEquals("[\"special\",\"up\"]", names.get("data").toString());
    JsonNode one = JSON.readTree(get("/api/v1/label/__name__/values?limit=1").body());
    assertEquals(1, one.get("data").size());
    assertEquals("results truncated due to limit", one.get("warnings").get(0).asText());
    String matches = "match[]=" + enc("up{job=\"api\"}") + "&match[]=" + enc("special");
    JsonNode viaGet = JSON.readTree(get("/api/v1/labels?" + matches).body()).get("data");
    JsonNode viaPost = JSON.readTree(form("/api/v1/labels", matches).body()).get("data");
    assertEquals(viaGet, viaPost);
    assertEquals("[\"__name__\",\"env\",\"http.status\",\"instance\",\"job\",\"kind\"]", viaGet.toString());
    assertEquals("[\"api\"]", JSON.readTree(get("/api/v1/label/job/values?match[]=" + enc("up{job=\"api\"}")).body()).get("data").toString());
    assertEquals("[\"200\",\"500\"]", JSON.readTree(get("/api/v1/label/U__http_2e_status/values").body()).get("data").toString());
    JsonNode series = JSON.readTree(form("/api/v1/series", "match[]=" + enc("{__name__!=\"\"}") + "&limit=40000&start=" + START + "&end=" + (START + 3600)).body());
    assertEquals(203, series.get("data").size());
    assertEquals(400, get("/api/v1/series").statusCode());
    assertEquals(400, get("/api/v1/series?match[]=" + enc("{__name__=~\".*\"}")).statusCode());
  }

  @Test
  void item21To25MetadataExemplarsRulesAlerts() throws Exception {
    assertTrue(JSON.readTree(get("/api/v1/metadata?limit=40000").body()).get("data").isObject());
    assertEquals("{\"status\":\"success\",\"data\":[]}", form("/api/v1/query_exemplars", "query=test&start=1700000000000&end=1700001800000").body());
    JsonNode groups = JSON.readTree(form("/api/v1/rules", "").body()).get("data").get("groups");
    assertEquals(3, groups.size());
    JsonNode rule = groups.get(0).get("rules").get(0);
    assertEquals("recording", rule.get("type").asText());
    assertTrue(groups.get(0).get("interval").isNumber());
    JsonNode page1 = JSON.readTree(get("/api/v1/rules?rule_group=x&file=y&exclude_alerts=true&group_limit=1").body()).get("data");
    assertEquals(1, page1.get("groups").size());
    String tokenOne = page1.get("groupNextToken").asText();
    JsonNode page2 = JSON.readTree(get("/api/v1/rules?group_limit=1&group_next_token=" + tokenOne).body()).get("data");
    assertEquals("b", page2.get("groups").get(0).get("name").asText());
    assertEquals(400, get("/api/v1/rules?group_limit=1&group_next_token=nope").statusCode());
    assertTrue(JSON.readTree(get("/api/v1/alerts").body()).get("data").get("alerts").isArray());
  }

  @Test
  void federationServesLatestSamples() throws Exception {
    dev.kiln.tsdb.storage.Appender app = server.storage().appender();
    long now = System.currentTimeMillis();
    app.append(0, Labels.of("__name__", "fed_metric", "a", "1"), now - 1000, 42);
    app.commit();
    String body = get("/federate?match[]=" + enc("fed_metric")).body();
    assertEquals("# TYPE fed_metric untyped\nfed_metric{a=\"1\",instance=\"\"} 42 " + (now - 1000) + "\n", body);
    assertEquals(400, get("/federate").statusCode());
  }

  @Test
  void item27To30TransportRules() throws Exception {
    StringBuilder alt = new StringBuilder("up{instance=~\"");
    for (int i = 0; alt.length() < 200 * 1024; i++) {
      alt.append(i == 0 ? "" : "|").append("some-long-instance-name-").append(i);
    }
    alt.append("\"}");
    HttpResponse<String> longLine = get("/api/v1/query_range?query=" + enc(alt.toString()) + "&start=" + START + "&end=" + (START + 60) + "&step=15");
    assertEquals(200, longLine.statusCode());
    for (String m : new String[] {"PUT", "DELETE"}) {
      assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query")).method(m, HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    HttpResponse<byte[]> gz = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query_range?query=up&start=" + START + "&end=" + (START + 3600) + "&step=15"))
        .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
    assertEquals("Accept-Encoding", gz.headers().firstValue("Vary").orElse(""));
    JsonNode unzipped = JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(gz.body())));
    assertEquals("success", unzipped.get("status").asText());
    HttpResponse<String> plain = get("/api/v1/query_range?query=up&start=" + START + "&end=" + (START + 60) + "&step=15");
    assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
    assertEquals(404, get("/api/v1/nope").statusCode());
    JsonNode err = JSON.readTree(get("/api/v1/query_range?query=up").body());
    for (Iterator<String> it = List.of("status", "errorType", "error").iterator(); it.hasNext(); ) {
      assertTrue(err.has(it.next()));
    }
  }
}
