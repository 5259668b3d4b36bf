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

  /**
   * Starts Prometheus with an empty configuration on {@code data} (its output into {@code log}) and
   * returns once it answers ready; fails (and stops it) if it exits or is not ready within 60 s.
   */
  private Process startReady(Path bin, Path data, int port, Path log) throws Exception {
    Path config = tmp.resolve(log.getFileName() + ".yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Process p = new ProcessBuilder(List.of(bin.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
            "--web.listen-address=127.0.0.1:" + port))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean ready = false;
    while (!ready && System.nanoTime() < deadline && p.isAlive()) {
      try {
        ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (IOException notUpYet) {
        // still starting
      }
      if (!ready) {
        p.waitFor(200, TimeUnit.MILLISECONDS);
      }
    }
    if (!ready) {
      boolean exited = !p.isAlive();
      p.destroyForcibly().waitFor();
      fail((exited ? "prometheus exited: " : "prometheus did not become ready: ") + Files.readString(log));
    }
    return p;
  }

  /** The first value of an instant query's vector answer from Prometheus at {@code port}. */
  private static String queryValue(HttpClient http, int port, String expr, long atMillis) throws Exception {
    String url = "http://127.0.0.1:" + port + "/api/v1/query?query="
        + java.net.URLEncoder.encode(expr, java.nio.charset.StandardCharsets.UTF_8) + "&time=" + apiTimestamp(atMillis);
    String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]*)\"\\]").matcher(body);
    assertTrue(m.find(), expr + ": " + body);
    return m.group(1);
  }

  /**
   * Kiln writes a Snappy-compressed WAL through {@link dev.kiln.tsdb.wal.Wal}: many series, samples
   * records large enough to span pages, a checkpoint (compressed too) and segments after it.
   * The installed Prometheus 2.42 starts on that directory, loads the checkpoint and the segments,
   * and answers exactly the samples Kiln kept.
   */
  @Test
  void prometheusReplaysTheCompressedWalAndCheckpointKilnWrote() throws Exception {
    Path bin = prometheusBinary();
    Path data = tmp.resolve("kiln-compressed");
    Path walDir = data.resolve("wal");
    int series = 400;
    long now = System.currentTimeMillis() / 1000 * 1000;
    long start = now - 40 * 60_000L; // 40 minutes at 15 s: 160 samples per series, well inside one head block
    long mint = now - 25 * 60_000L; // the checkpoint keeps samples from here on
    long cut = now - 10 * 60_000L; // written before the checkpoint: up to here
    List<dev.kiln.tsdb.wal.CommitLog.SeriesEntry> entries = new java.util.ArrayList<>();
    long[] refs = new long[series];
    for (int i = 0; i < series; i++) {
      refs[i] = i + 1;
      entries.add(new dev.kiln.tsdb.wal.CommitLog.SeriesEntry(i + 1, dev.kiln.tsdb.model.Labels.of(
          "__name__", "kiln_wal_interop", "job", "kiln", "instance", "host-" + (i % 20) + ":9100", "shard", "" + i)));
    }
    long expectedCount = 0;
    double expectedSum = 0;
    dev.kiln.tsdb.wal.Wal wal = dev.kiln.tsdb.wal.Wal.open(dev.kiln.tsdb.io.FileIo.DEFAULT, walDir, 64 * 1024);
    wal.replay(new dev.kiln.tsdb.wal.WalReplayHandler() {
      @Override
      public void series(dev.kiln.tsdb.wal.WalRecords.SeriesRecord s) {}

      @Override
      public void sample(long ref, long t, double v) {}

      @Override
      public void tombstone(dev.kiln.tsdb.wal.WalRecords.Tombstone t) {}
    });
    wal.startWriting();
    boolean checkpointed = false;
    for (long t = start; t <= now; t += 15_000) {
      if (!checkpointed && t > cut) {
        wal.checkpoint(mint, ref -> true);
        checkpointed = true;
      }
      long[] ts = new long[series];
      double[] vs = new double[series];
      for (int i = 0; i < series; i++) {
        ts[i] = t;
        vs[i] = (t - start) / 1000.0 + i * 0.25;
        if (t >= mint) {
          expectedCount++;
          expectedSum += vs[i];
        }
      }
      wal.awaitDurable(wal.write(t == start ? entries : List.of(), refs, ts, vs, series));
    }
    wal.close();
    assertTrue(checkpointed);
    Path firstSegment = dev.kiln.tsdb.wal.WalSegments.list(dev.kiln.tsdb.io.FileIo.DEFAULT, walDir).get(0).path();
    byte first = Files.readAllBytes(firstSegment)[0];
    assertTrue((first & 0x08) != 0, "Kiln wrote Snappy-compressed records (fragment type " + first + ")");
    List<dev.kiln.tsdb.wal.WalSegments.Segment> cps =
        dev.kiln.tsdb.wal.WalSegments.checkpoints(dev.kiln.tsdb.io.FileIo.DEFAULT, walDir);
    assertEquals(1, cps.size());
    byte cpFirst = Files.readAllBytes(cps.get(0).path().resolve(dev.kiln.tsdb.wal.WalSegments.segmentName(0)))[0];
    assertTrue((cpFirst & 0x08) != 0, "Kiln wrote a Snappy-compressed checkpoint (fragment type " + cpFirst + ")");

    int port = freePort();
    Path log = tmp.resolve("prometheus-compressed.log");
    Process p = startReady(bin, data, port, log);
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      // Samples before mint were dropped by the checkpoint: a count above expectedCount would show them.
      String sel = "kiln_wal_interop{job=\"kiln\"}[1h]";
      assertEquals(Integer.toString(series), queryValue(http, port, "count(count_over_time(" + sel + "))", now));
      assertEquals(Long.toString(expectedCount), queryValue(http, port, "sum(count_over_time(" + sel + "))", now));
      assertEquals(expectedSum, Double.parseDouble(queryValue(http, port, "sum(sum_over_time(" + sel + "))", now)),
          1e-9 * expectedSum);
      assertEquals(Double.toString((now - start) / 1000.0 + 399 * 0.25),
          Double.toString(Double.parseDouble(queryValue(http, port, "kiln_wal_interop{shard=\"399\"}", now))));
      assertTrue(!Files.readString(log).contains("corruption"), Files.readString(log));
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * Kiln's head chunk files as Prometheus reads them: Kiln ingests 90 minutes of samples (cut
   * chunks go to {@code chunks_head}), truncates its head once (which starts a new file) and
   * closes; the newest file is then given a tail of zeros, as a crash leaves it. Prometheus 2.42
   * starts on the directory, loads the chunk files without reporting corruption, and answers
   * every sample.
   */
  @Test
  void prometheusLoadsTheHeadChunkFilesKilnWrote() throws Exception {
    Path bin = prometheusBinary();
    Path data = tmp.resolve("kiln-head-chunks");
    int series = 50;
    long now = System.currentTimeMillis() / 15_000 * 15_000;
    long start = now - 90 * 60_000L; // 361 samples per series at 15 s: three cut chunks each
    try (Db db = Db.open(data, DbOptions.defaults())) {
      for (long t = start; t <= now; t += 15_000) {
        dev.kiln.tsdb.storage.Appender app = db.appender();
        for (int i = 0; i < series; i++) {
          app.append(0, dev.kiln.tsdb.model.Labels.of("__name__", "kiln_head_chunks", "shard", "" + i), t, i + (t - start) / 1000.0);
        }
        app.commit();
        if (t == start + 60 * 60_000L) {
          db.head().truncate(start); // drops nothing, starts a new head chunk file
        }
      }
    }
    List<Path> files;
    try (java.util.stream.Stream<Path> s = Files.list(data.resolve("chunks_head"))) {
      files = s.sorted().toList();
    }
    assertTrue(files.size() >= 2, "head chunk files " + files);
    Path last = files.get(files.size() - 1);
    long size = Files.size(last);
    assertTrue(size > 8, "chunks in the newest file");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(last, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.allocate(1), size + 64 * 1024 - 1); // a tail of zeros, as after a crash
    }

    int port = freePort();
    Path log = tmp.resolve("prometheus-head-chunks.log");
    Process p = startReady(bin, data, port, log);
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String text = Files.readString(log);
      assertTrue(text.contains("On-disk memory mappable chunks replay completed") && !text.contains("Loading on-disk chunks failed"), text);
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("\nprometheus_tsdb_mmap_chunk_corruptions_total 0\n"), metrics);
      String sel = "kiln_head_chunks[2h]";
      assertEquals(Integer.toString(series), queryValue(http, port, "count(count_over_time(" + sel + "))", now));
      assertEquals(Integer.toString(series * 361), queryValue(http, port, "sum(count_over_time(" + sel + "))", now));
      assertEquals(49 + 5400.0, Double.parseDouble(queryValue(http, port, "kiln_head_chunks{shard=\"49\"}", now)));
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
