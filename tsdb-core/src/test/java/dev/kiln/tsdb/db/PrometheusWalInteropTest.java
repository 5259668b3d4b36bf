package dev.kiln.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a write-ahead log written by a real Prometheus (Debian's {@code prometheus} package, WAL
 * compression on by default): Prometheus scrapes itself for a few seconds, shuts down cleanly,
 * and Kiln opens the same directory and finds the scraped samples.
 */
class PrometheusWalInteropTest {
  @TempDir Path tmp;

  private static Path prometheusBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "prometheus");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("prometheus binary not found on PATH; .ci/install-peers installs the Debian package");
    }
    Assumptions.abort("prometheus binary not installed");
    return null;
  }

  @Test
  void kilnReplaysTheWalOfARealPrometheus() throws Exception {
    Path bin = prometheusBinary();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path data = tmp.resolve("data");
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config,
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n"
            + "      - targets: ['127.0.0.1:" + port + "']\n");
    Process p = new ProcessBuilder(List.of(bin.toString(),
            "--config.file=" + config, "--storage.tsdb.path=" + data,
            "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.wal-compression"))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("prometheus.log").toFile())
        .start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest q = HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + port + "/api/v1/query?query=count_over_time(up%5B1m%5D)"))
          .timeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean enough = false;
      while (!enough && System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          fail("prometheus exited: " + Files.readString(tmp.resolve("prometheus.log")));
        }
        try {
          String body = http.send(q, HttpResponse.BodyHandlers.ofString()).body();
          enough = body.matches("(?s).*\"value\":\\[[0-9.]+,\"([3-9]|[1-9][0-9]+)\"\\].*");
        } catch (IOException notUpYet) {
          // still starting
        }
        if (!enough) {
          p.waitFor(200, TimeUnit.MILLISECONDS); // poll interval while Prometheus scrapes
        }
      }
      assertTrue(enough, "prometheus did not scrape itself 3 times within 60 s");
    } finally {
      p.destroy(); // SIGTERM: clean shutdown
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }

    byte first = Files.readAllBytes(data.resolve("wal").resolve("00000000"))[0];
    assertTrue((first & 0x08) != 0, "Prometheus wrote Snappy-compressed records (fragment type " + first + ")");
    try (Db db = Db.open(data, DbOptions.defaults());
        Querier querier = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      SeriesSet set = querier.select(true, null, LabelMatcher.equal("__name__", "up"));
      assertTrue(set.next(), "no up series in the replayed WAL");
      assertEquals("127.0.0.1:" + port, set.at().labels().get("instance"));
      SampleIterator it = set.at().iterator(null);
      int n = 0;
      while (it.next() == ValueType.FLOAT) {
        assertEquals(1.0, it.atV());
        n++;
      }
      assertTrue(n >= 3, "up samples: " + n);
      assertTrue(querier.labelValues("__name__").contains("prometheus_build_info"));
    }
  }

  /** A free loopback port, within {@code -Dkiln.test.portRange=FROM-TO} when set. */
  private static int freePort() throws IOException {
    String range = System.getProperty("kiln.test.portRange");
    if (range != null && range.matches("\\d+-\\d+")) {
      int from = Integer.parseInt(range.substring(0, range.indexOf('-')));
      int to = Integer.parseInt(range.substring(range.indexOf('-') + 1));
      for (int port = from; port <= to; port++) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
          return s.getLocalPort();
        } catch (IOException taken) {
          // next
        }
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Prometheus with {@code --enable-feature=exemplar-storage} scrapes an OpenMetrics page with
   * exemplars; Kiln replays its WAL (exemplar records, type 4) and finds the same exemplars.
   */
  @Test
  void kilnReplaysTheExemplarsOfARealPrometheus() throws Exception {
    Path bin = prometheusBinary();
    String page = "# TYPE req counter\nreq_total{code=\"200\"} 3 # {trace_id=\"abc\",span_id=\"1\"} 0.5 1700000000.25\n"
        + "# TYPE lat histogram\nlat_bucket{le=\"1\"} 1 # {trace_id=\"def\"} 0.75 1700000001\nlat_bucket{le=\"+Inf\"} 1\n"
        + "lat_count 1\nlat_sum 0.75\n# EOF\n";
    byte[] body = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    com.sun.net.httpserver.HttpServer exporter = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), freePort()), 4);
    exporter.createContext("/metrics", ex -> {
      try (ex) {
        ex.getResponseHeaders().set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
    exporter.start();
    int port = freePort();
    Path data = tmp.resolve("ex-data");
    Path config = tmp.resolve("ex.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: om\n    static_configs:\n"
        + "      - targets: ['127.0.0.1:" + exporter.getAddress().getPort() + "']\n");
    Process p = new ProcessBuilder(List.of(bin.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
            "--web.listen-address=127.0.0.1:" + port, "--enable-feature=exemplar-storage"))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus-ex.log").toFile()).start();
    String promAnswer = null;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest q = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query_exemplars?query=%7Bjob%3D%22om%22%7D"))
          .timeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          fail("prometheus exited: " + Files.readString(tmp.resolve("prometheus-ex.log")));
        }
        try {
          String b = http.send(q, HttpResponse.BodyHandlers.ofString()).body();
          if (b.contains("abc") && b.contains("def")) {
            promAnswer = b;
            break;
          }
        } catch (IOException notUpYet) {
          // still starting
        }
        p.waitFor(200, TimeUnit.MILLISECONDS);
      }
      assertTrue(promAnswer != null, "prometheus did not store the exemplars within 60 s");
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
      exporter.stop(0);
    }
    Db db = Db.create(data, DbOptions.defaults(), dev.kiln.tsdb.io.FileIo.DEFAULT);
    try {
      db.resizeExemplars(100);
      db.start();
      var got = db.exemplarQuerier().select(Long.MIN_VALUE, Long.MAX_VALUE, List.of(List.of(LabelMatcher.equal("job", "om"))));
      assertEquals(2, got.size(), got.toString() + " vs Prometheus " + promAnswer);
      assertEquals("lat_bucket", got.get(0).seriesLabels().metricName());
      assertEquals(List.of(dev.kiln.tsdb.storage.Exemplar.of(dev.kiln.tsdb.model.Labels.of("trace_id", "def"), 0.75, 1_700_000_001_000L)),
          got.get(0).exemplars());
      assertEquals(List.of(dev.kiln.tsdb.storage.Exemplar.of(dev.kiln.tsdb.model.Labels.of("span_id", "1", "trace_id", "abc"), 0.5,
          1_700_000_000_250L)), got.get(1).exemplars());
    } finally {
      db.close();
    }
  }

  /**
   * The other way: Kiln writes samples and exemplars into its WAL and closes; Prometheus with
   * {@code --enable-feature=exemplar-storage} opens the directory and answers the exemplars.
   */
  @Test
  void prometheusReplaysTheExemplarsKilnLogged() throws Exception {
    Path bin = prometheusBinary();
    Path data = tmp.resolve("kiln-data");
    long now = System.currentTimeMillis();
    dev.kiln.tsdb.model.Labels series = dev.kiln.tsdb.model.Labels.of("__name__", "req_total", "job", "kiln");
    Db db = Db.create(data, DbOptions.defaults(), dev.kiln.tsdb.io.FileIo.DEFAULT);
    try {
      db.resizeExemplars(10);
      db.start();
      dev.kiln.tsdb.storage.Appender app = db.appender();
      long ref = app.append(0, series, now - 2000, 1);
      app.appendExemplar(ref, series, dev.kiln.tsdb.storage.Exemplar.of(dev.kiln.tsdb.model.Labels.of("trace_id", "k1"), 0.5, now - 2100));
      app.append(ref, series, now - 1000, 2);
      app.appendExemplar(ref, series, dev.kiln.tsdb.storage.Exemplar.of(dev.kiln.tsdb.model.Labels.of("trace_id", "k2", "span_id", "s"), 1.5, now - 1100));
      app.commit();
    } finally {
      db.close();
    }
    int port = freePort();
    Path config = tmp.resolve("empty.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Process p = new ProcessBuilder(List.of(bin.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
            "--web.listen-address=127.0.0.1:" + port, "--enable-feature=exemplar-storage"))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus-kiln.log").toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest q = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query_exemplars?query=req_total"))
          .timeout(Duration.ofSeconds(2)).build();
      String body = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          fail("prometheus exited: " + Files.readString(tmp.resolve("prometheus-kiln.log")));
        }
        try {
          body = http.send(q, HttpResponse.BodyHandlers.ofString()).body();
          if (body.contains("success")) {
            break;
          }
        } catch (IOException notUpYet) {
          // still starting
        }
        p.waitFor(200, TimeUnit.MILLISECONDS);
      }
      String t1 = apiTimestamp(now - 2100);
      String t2 = apiTimestamp(now - 1100);
      assertEquals("{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":\"req_total\",\"job\":\"kiln\"},"
          + "\"exemplars\":[{\"labels\":{\"trace_id\":\"k1\"},\"value\":\"0.5\",\"timestamp\":" + t1 + "},"
          + "{\"labels\":{\"span_id\":\"s\",\"trace_id\":\"k2\"},\"value\":\"1.5\",\"timestamp\":" + t2 + "}]}]}", body);
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  /** A timestamp as Prometheus's API writes it: seconds, then three digits of milliseconds unless they are zero. */
  private static String apiTimestamp(long millis) {
    long ms = millis % 1000;
    return ms == 0 ? Long.toString(millis / 1000) : String.format("%d.%03d", millis / 1000, ms);
  }
}
