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
}
