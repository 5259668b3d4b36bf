package dev.kiln.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.scraper.parse.Pb;
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
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes in the delimited protobuf format, as client_golang and client_java send them, and queries them back. */
class PushProtobufTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

  @TempDir Path dir;

  /** A native histogram (schema 0, zero bucket 1, buckets 2, 3, 2) and a counter. */
  private static byte[] body(double counter) {
    Pb histogram = Pb.msg().string(1, "build_seconds").string(2, "Build time.").uint(3, 4)
        .msg(4, Pb.msg().label("step", "compile").msg(7, Pb.msg().uint(1, 8).dbl(2, 12.5).sint(5, 0).dbl(6, 0.001)
            .uint(7, 1).msg(12, Pb.msg().sint(1, 0).uint(2, 3)).packedSint(13, 2, 1, -1)));
    Pb total = Pb.msg().string(1, "builds_total").uint(3, 0).msg(4, Pb.msg().msg(3, Pb.msg().dbl(1, counter)));
    return Pb.delimited(histogram, total);
  }

  /** The status code and response body. */
  private static String send(String base, String method, String path, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType);
    b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().strip();
  }

  private static void assertStatus(int expected, String response) {
    assertEquals(String.valueOf(expected), response.split(" ", 2)[0], response);
  }

  private static JsonNode query(String base, String q) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
        + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
    return JSON.readTree(body).get("data").get("result");
  }

  @Test
  void storesPushedNativeHistogramsAndCountersAndRejectsMalformedBodies() throws Exception {
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
      assertStatus(200, send(base, "PUT", "/metrics/job/ci/instance/runner1", PROTOBUF, body(41)));
      // POST replaces only the families it names: a text family joins the protobuf ones.
      assertStatus(200, send(base, "POST", "/metrics/job/ci/instance/runner1", "text/plain; version=0.0.4",
          "# TYPE queue_length gauge\nqueue_length 3\n".getBytes(StandardCharsets.UTF_8)));
      byte[] good = body(5);
      byte[] truncated = Arrays.copyOf(good, good.length - 3);
      assertStatus(400, send(base, "PUT", "/metrics/job/broken", PROTOBUF, truncated));
      // Without the delimited-protobuf content type the bytes are read as text, which they are not.
      assertStatus(400, send(base, "PUT", "/metrics/job/broken", "application/vnd.google.protobuf; encoding=text", good));
      kiln.ingestPushesNow();

      JsonNode h = query(base, "build_seconds");
      assertEquals(1, h.size(), h.toString());
      JsonNode m = h.get(0).get("metric");
      assertEquals("ci", m.get("job").asText());
      assertEquals("runner1", m.get("instance").asText());
      assertEquals("compile", m.get("step").asText());
      JsonNode hv = h.get(0).get("histogram").get(1);
      assertEquals("8", hv.get("count").asText());
      assertEquals("12.5", hv.get("sum").asText());
      assertEquals(4, hv.get("buckets").size(), hv.toString());
      assertEquals("3", hv.get("buckets").get(2).get(3).asText(), "bucket (1,2] holds 2+1 observations: " + hv);

      JsonNode c = query(base, "builds_total");
      assertEquals(1, c.size(), c.toString());
      assertEquals("41", c.get(0).get("value").get(1).asText());
      assertEquals("3", query(base, "queue_length{job=\"ci\",instance=\"runner1\"}").get(0).get("value").get(1).asText());

      assertEquals(0, query(base, "{job=\"broken\"}").size(), "a rejected push stores nothing");
      String list = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(1, JSON.readTree(list).get("data").size(), list);
      assertFalse(list.contains("broken"), list);
      assertTrue(list.contains("builds_total"), list);
    }
    // Protobuf-pushed families survive a restart.
    try (KilnServer again = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, false, false,
        120_000, 50_000_000, 300_000, 4, ""))) {
      again.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!again.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      again.ingestPushesNow();
      JsonNode h = query("http://127.0.0.1:" + again.address().getPort(), "histogram_count(build_seconds)");
      assertEquals("8", h.get(0).get("value").get(1).asText(), h.toString());
    }
  }
}
