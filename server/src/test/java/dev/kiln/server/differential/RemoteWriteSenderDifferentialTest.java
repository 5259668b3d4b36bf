package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.server.remote.RemoteStorage;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's remote write sender sends native histograms: a head fed with integer, float and gauge
 * histograms and floats forwards them to the real Prometheus 2.42 over remote write 1.0 and to a
 * Kiln server over remote write 2.0; both receivers must then hold the same raw samples
 * ({@code {source="rw"}[1h]} through {@code /api/v1/query}), histograms included. The float
 * histogram series is kept from Prometheus by {@code write_relabel_configs}: Prometheus 2.42's
 * receiver stores the integer histograms of requests that also carry float histograms wrongly
 * (all of them as the newest float histogram), so it is checked on Kiln alone, against the head.
 */
class RemoteWriteSenderDifferentialTest {
  @TempDir Path dir;

  @Test
  void nativeHistogramsReachPrometheusOver10AndKilnOver20Alike() throws Exception {
    Path config = dir.resolve("p.yml");
    Files.writeString(config, "global: {scrape_interval: 1h}\n");
    long end = System.currentTimeMillis() / 1000 * 1000 - 1000;
    int n = 40;
    try (ServerProcess prometheus = ServerProcess.prometheus(config, Files.createDirectories(dir.resolve("prom-data")),
            "--enable-feature=native-histograms");
        ServerProcess kiln = ServerProcess.kiln(config, Files.createDirectories(dir.resolve("kiln-data")),
            "--enable-feature=native-histograms");
        RemoteStorage sender = new RemoteStorage("Kiln/test")) {
      PrometheusConfig c = ConfigLoader.parse("test", """
          global: {external_labels: {sender: kiln}}
          remote_write:
            - url: %s
              send_native_histograms: true
              queue_config: {batch_send_deadline: 50ms, max_samples_per_send: 70}
              write_relabel_configs: [{source_labels: [__name__], regex: fill_ratio, action: drop}]
            - url: %s
              protobuf_message: io.prometheus.write.v2.Request
              send_native_histograms: true
              queue_config: {batch_send_deadline: 50ms, max_samples_per_send: 70}
          """.formatted(prometheus.url("/api/v1/write"), kiln.url("/api/v1/write")), Path.of("."));
      sender.apply(c.remoteWrite(), c.global().externalLabels());
      Head head = Head.inMemory();
      head.addCommitListener(sender);
      Random rnd = new Random(11);
      long[] counts = new long[3];
      double fsum = 0;
      double[] fillCounts = new double[n];
      for (int i = 0; i < n; i++) {
        long t = end - (n - 1 - i) * 15_000L;
        Appender a = head.appender();
        for (int s = 0; s < 2; s++) {
          Histogram h = new Histogram();
          for (int b = 0; b < counts.length; b++) {
            counts[b] += rnd.nextInt(4);
          }
          h.schema = s + 1;
          h.zeroThreshold = 0.001;
          h.count = counts[0] + counts[1] + counts[2];
          h.sum = h.count * 0.75;
          h.positiveSpans = new Span[] {new Span(-1, 2), new Span(3, 1)};
          h.positiveBuckets = new long[] {counts[0], counts[1] - counts[0], counts[2] - counts[1]};
          a.appendHistogram(0, Labels.of("__name__", "rpc_seconds", "source", "rw", "svc", "s" + s), t, h, null,
              AppendOptions.NONE);
        }
        fsum += rnd.nextInt(50);
        FloatHistogram fh = new FloatHistogram();
        fh.count = fsum + 1;
        fillCounts[i] = fh.count;
        fh.sum = fsum * 2;
        fh.zeroCount = 1;
        fh.zeroThreshold = 1e-128;
        fh.positiveSpans = new Span[] {new Span(0, 1)};
        fh.positiveBuckets = new double[] {fsum};
        a.appendHistogram(0, Labels.of("__name__", "fill_ratio", "source", "rw"), t, null, fh, AppendOptions.NONE);
        Histogram g = new Histogram();
        g.counterResetHint = CounterResetHint.GAUGE;
        long v = rnd.nextInt(7);
        g.count = v;
        g.sum = -v;
        g.negativeSpans = new Span[] {new Span(1, 1)};
        g.negativeBuckets = new long[] {v};
        a.appendHistogram(0, Labels.of("__name__", "temperature", "source", "rw"), t, g, null, AppendOptions.NONE);
        a.append(0, Labels.of("__name__", "jobs_total", "source", "rw"), t, i * 2.0);
        a.commit();
      }
      ApiClient prom = new ApiClient(prometheus);
      ApiClient kil = new ApiClient(kiln);
      String q = "/api/v1/query?time=" + (end / 1000.0) + "&query=" + ApiClient.encode("{source=\"rw\"}[1h]");
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline && (samples(prom.get(q).data()) < 4 * n || samples(kil.get(q).data()) < 5 * n)) {
        Thread.sleep(100);
      }
      JsonNode p = prom.get(q).data();
      JsonNode k = kil.get(q).data();
      assertEquals(4 * n, samples(p), "Prometheus received everything: " + p);
      assertEquals(5 * n, samples(k), "Kiln received everything: " + k);
      assertTrue(p.path("result").path(0).path("metric").path("sender").asText().equals("kiln"), p.toString());
      com.fasterxml.jackson.databind.node.ObjectNode common = k.deepCopy();
      JsonNode fill = ((com.fasterxml.jackson.databind.node.ArrayNode) common.get("result")).remove(0);
      assertEquals("fill_ratio", fill.path("metric").path("__name__").asText());
      assertEquals(p, common);
      for (int i = 0; i < n; i++) {
        assertEquals(Double.toString(fillCounts[i]), Double.toString(fill.path("histograms").path(i).path(1).path("count").asDouble()));
      }
    }
  }

  /** Float samples plus histogram samples in a matrix result. */
  private static int samples(JsonNode data) {
    int n = 0;
    for (JsonNode s : data.path("result")) {
      n += s.path("values").size() + s.path("histograms").size();
    }
    return n;
  }
}
