package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.server.remotewrite.proto.v1.BucketSpan;
import dev.kiln.server.remotewrite.proto.v1.Histogram;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The installed Prometheus 2.42 ({@code --enable-feature=native-histograms}, remote-write
 * receiver) takes native histograms over remote write, writes them to its WAL (histogram
 * records) and its head chunk files (the chunks it cut) and shuts down; Kiln opens the same data
 * directory and reads them back.
 */
class PrometheusHistogramWalTest {
  @TempDir Path tmp;

  @Test
  void kilnReplaysHistogramsFromPrometheusWal() throws Exception {
    Path bin = Path.of("/usr/bin/prometheus");
    if (!Files.isExecutable(bin)) {
      if ("true".equals(System.getenv("CI"))) {
        fail("prometheus is not installed");
      }
      Assumptions.abort("prometheus is not installed");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path data = tmp.resolve("data");
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Path log = tmp.resolve("prometheus.log");
    Process p = new ProcessBuilder(List.of(bin.toString(), "--config.file=" + config,
            "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port,
            "--web.enable-remote-write-receiver", "--enable-feature=native-histograms"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long now = System.currentTimeMillis();
    long base = now - 130 * 60_000L; // 480 samples at 15 s: several chunks, cut ones m-mapped to chunks_head
    List<String> want = new ArrayList<>();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      waitReady(http, port, p, log);
      for (int batch = 0; batch < 16; batch++) {
        TimeSeries.Builder ts = TimeSeries.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("rpc_seconds"))
            .addLabels(Label.newBuilder().setName("job").setValue("api"));
        for (int i = batch * 30; i < batch * 30 + 30; i++) {
          long t = base + i * 15_000L;
          long k = i + 1;
          ts.addHistograms(Histogram.newBuilder().setCountInt(4 * k).setZeroCountInt(k).setSum(0.5 * k)
              .setSchema(3).setZeroThreshold(Math.scalb(1.0, -128))
              .addPositiveSpans(BucketSpan.newBuilder().setOffset(-2).setLength(2))
              .addPositiveSpans(BucketSpan.newBuilder().setOffset(3).setLength(1))
              .addPositiveDeltas(k).addPositiveDeltas(0).addPositiveDeltas(0)
              .setTimestamp(t));
          want.add(t + " count=" + 4 * k + " zero=" + k + " sum=" + 0.5 * k + " buckets=[" + k + ", " + k + ", " + k + "]");
        }
        byte[] body = Snappy.compress(WriteRequest.newBuilder().addTimeseries(ts).build().toByteArray());
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/write"))
            .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, resp.statusCode(), resp.body() + Files.readString(log));
      }
    } finally {
      p.destroy(); // SIGTERM: a clean shutdown
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    try (java.util.stream.Stream<Path> files = Files.list(data.resolve("chunks_head"))) {
      org.junit.jupiter.api.Assertions.assertTrue(files.findAny().isPresent(), "Prometheus m-mapped cut chunks");
    }
    List<String> got = new ArrayList<>();
    try (Db db = Db.open(data, DbOptions.defaults()); Querier q = db.querier(0, Long.MAX_VALUE)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "rpc_seconds"));
      while (set.next()) {
        SampleIterator it = set.at().iterator(null);
        ValueType vt;
        while ((vt = it.next()) != ValueType.NONE) {
          assertEquals(ValueType.HISTOGRAM, vt);
          var h = it.atHistogram(null).toFloat(null);
          got.add(it.atT() + " count=" + (long) h.count + " zero=" + (long) h.zeroCount + " sum=" + h.sum
              + " buckets=" + java.util.Arrays.toString(java.util.Arrays.stream(h.positiveBuckets).mapToLong(d -> (long) d).toArray()));
        }
      }
    }
    assertEquals(want, got);
  }

  private static void waitReady(HttpClient http, int port, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        fail("prometheus exited: " + Files.readString(log));
      }
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    fail("prometheus did not become ready: " + Files.readString(log));
  }
}
