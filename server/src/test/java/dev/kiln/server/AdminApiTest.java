package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.tsdb.model.Labels;
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

class AdminApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static KilnServer start(Path dir, boolean admin) throws Exception {
    Path cfg = dir.resolve("p.yml");
    Files.writeString(cfg, "global: {scrape_interval: 15s}\n");
    KilnServer s = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 15 * 86_400_000L, 0, "127.0.0.1", 0, true, admin, false,
        120_000, 50_000_000, 300_000, 4, ""));
    s.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!s.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return s;
  }

  private static HttpResponse<String> post(KilnServer s, String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + pathAndQuery))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(KilnServer s, String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void disabledByDefault() throws Exception {
    try (KilnServer s = start(dir, false)) {
      HttpResponse<String> r = post(s, "/api/v1/admin/tsdb/snapshot");
      assertEquals(500, r.statusCode());
      assertTrue(r.body().contains("\"errorType\":\"unavailable\""), r.body());
      assertTrue(r.body().contains("admin APIs disabled"), r.body());
    }
  }

  @Test
  void deleteSeriesAndSnapshot() throws Exception {
    try (KilnServer s = start(dir, true)) {
      var app = dbAppender(s);
      long now = System.currentTimeMillis();
      app.append(0, Labels.of("__name__", "doomed", "a", "1"), now - 1000, 1);
      app.append(0, Labels.of("__name__", "kept", "a", "1"), now - 1000, 1);
      app.commit();
      String sel = URLEncoder.encode("doomed", StandardCharsets.UTF_8);
      assertEquals(204, post(s, "/api/v1/admin/tsdb/delete_series?match[]=" + sel).statusCode());
      String after = get(s, "/api/v1/query?query=doomed").body();
      assertTrue(after.contains("\"result\":[]"), after);
      assertTrue(get(s, "/api/v1/query?query=kept").body().contains("\"kept\""));
      HttpResponse<String> snap = post(s, "/api/v1/admin/tsdb/snapshot");
      assertEquals(200, snap.statusCode(), snap.body());
      String name = new ObjectMapper().readTree(snap.body()).get("data").get("name").asText();
      assertTrue(Files.isDirectory(dir.resolve("data").resolve("snapshots").resolve(name)));
      assertEquals(204, post(s, "/api/v1/admin/tsdb/clean_tombstones").statusCode());
    }
  }

  private static dev.kiln.tsdb.storage.Appender dbAppender(KilnServer s) {
    return s.storage().appender();
  }
}
