package dev.kiln.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed Prometheus 2.42 ({@code --enable-feature=native-histograms}) opens a data
 * directory holding a block Kiln wrote with integer- and float-histogram chunks and answers
 * queries over them with the histograms Kiln stored.
 */
class PrometheusReadsHistogramBlockTest {
  @TempDir Path tmp;

  private static Path prometheusBinary() {
    Path p = Path.of("/usr/bin/prometheus");
    if (Files.isExecutable(p)) {
      return p;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("prometheus binary not found; .ci/install-peers installs the Debian package");
    }
    Assumptions.abort("prometheus binary not installed");
    return null;
  }

  @Test
  void prometheusQueriesKilnsHistogramChunks() throws Exception {
    Path bin = prometheusBinary();
    long base = HistogramBlockTest.BASE;
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    List<BlockSeries> series = new ArrayList<>();
    series.add(new BlockSeries(Labels.of("__name__", "queue_depth", "job", "api"),
        HistogramBlockTest.floatHistogramChunks(base, 50, 60_000)));
    series.add(new BlockSeries(Labels.of("__name__", "rpc_latency_seconds", "job", "api"),
        HistogramBlockTest.histogramChunks(base, 300, 15_000)));
    Set<String> symbols = new TreeSet<>(List.of("__name__", "job", "api", "queue_depth", "rpc_latency_seconds"));
    BlockMeta template = new BlockMeta(Ulid.generate(base), base, base + HistogramBlockTest.TWO_HOURS,
        0, 0, 0, 0, 1, List.of(), List.of(), false);
    BlockMeta meta = BlockWriter.write(FileIo.DEFAULT, data, template, symbols, series.iterator());
    assertNotNull(meta);
    // promtool reads the block's index and chunks: analyze counts both series and their chunks.
    Path promtool = Path.of("/usr/bin/promtool");
    if (Files.isExecutable(promtool)) {
      Process a = new ProcessBuilder(promtool.toString(), "tsdb", "analyze", data.toString(), meta.ulid().toString())
          .redirectErrorStream(true).start();
      String out = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(a.waitFor(60, TimeUnit.SECONDS) && a.exitValue() == 0, out);
      assertTrue(out.contains("Series: 2\n"), out);
    }

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Path log = tmp.resolve("prometheus.log");
    Process p = new ProcessBuilder(List.of(bin.toString(), "--config.file=" + config,
            "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port,
            "--enable-feature=native-histograms", "--storage.tsdb.retention.time=100y"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      double at = (base + HistogramBlockTest.TWO_HOURS - 1) / 1000.0;
      String body = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          fail("prometheus exited: " + Files.readString(log));
        }
        try {
          body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                  + "/api/v1/query?time=" + at + "&query="
                  + URLEncoder.encode("rpc_latency_seconds[2h]", StandardCharsets.UTF_8)))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
          if (body.contains("\"success\"")) {
            break;
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        Thread.sleep(100);
      }
      assertNotNull(body, "no answer: " + Files.readString(log));
      Matcher m = Pattern.compile("\\[([0-9.]+),\\{\"count\":\"([^\"]+)\",\"sum\":\"([^\"]+)\",\"buckets\":\\[(.*?)\\]\\}\\]")
          .matcher(body);
      int i = 0;
      while (m.find()) {
        Histogram want = HistogramBlockTest.histogram(i + 1);
        assertEquals((base + i * 15_000L) / 1000.0, Double.parseDouble(m.group(1)), 1e-9, body);
        assertEquals(want.count, Long.parseLong(m.group(2)), "count of sample " + i);
        assertEquals(want.sum, Double.parseDouble(m.group(3)), "sum of sample " + i);
        // Negative bucket, zero bucket, then the five positive buckets, each [rule, lower, upper, count].
        List<Long> counts = new ArrayList<>();
        for (String b : m.group(4).split("\\],\\[")) {
          String[] f = b.replace("[", "").replace("]", "").replace("\"", "").split(",");
          counts.add(Long.parseLong(f[3]));
        }
        long k = i + 1;
        assertEquals(List.of(k, k, k, 2 * k, k, 3 * k, 2 * k), counts, "buckets of sample " + i + ": " + m.group(4));
        i++;
      }
      assertEquals(300, i, body.length() > 2000 ? body.substring(0, 2000) : body);

      // The float gauge histogram series: its newest sample's count.
      String last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/api/v1/query?time=" + ((base + 49 * 60_000L) / 1000.0) + "&query="
              + URLEncoder.encode("histogram_count(queue_depth)", StandardCharsets.UTF_8)))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(last.contains("\"" + HistogramBlockTest.histogram(50).count + "\""), last);
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
