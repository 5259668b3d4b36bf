package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.server.remotewrite.proto.v1.MetricMetadata;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Remote write 1.0 metadata: the real Prometheus 2.42 and Kiln scrape the same corpus pages (text
 * format and OpenMetrics) and remote-write to one recording receiver with
 * {@code metadata_config: {send_interval: 1s}}; the metadata requests each sends (requests with
 * {@code WriteRequest.metadata} and no series) must name the same entries: family name, type,
 * help and unit.
 */
class RemoteWriteMetadataDifferentialTest {
  private static final List<String> PAGES = List.of("node_exporter.prom", "app_histograms.prom", "openmetrics.om",
      "kube_state_metrics.prom", "lax_text.prom");

  @TempDir Path dir;

  @Test
  void metadataRequestsNameTheSameEntries() throws Exception {
    Map<String, TreeSet<String>> latest = new ConcurrentHashMap<>();
    Map<String, Integer> seriesInMetadataRequests = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", ex -> {
      String who = ex.getRequestURI().getPath().substring(1);
      WriteRequest w = WriteRequest.parseFrom(Snappy.uncompress(ex.getRequestBody().readAllBytes()));
      if (w.getMetadataCount() > 0) {
        TreeSet<String> entries = new TreeSet<>();
        for (MetricMetadata m : w.getMetadataList()) {
          entries.add(m.getMetricFamilyName() + " " + m.getType() + " help=" + m.getHelp() + " unit=" + m.getUnit());
        }
        latest.put(who, entries);
        seriesInMetadataRequests.merge(who, w.getTimeseriesCount(), Integer::sum);
      }
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    long t0 = System.currentTimeMillis() / 1000 * 1000;
    try (ExporterStub exporters = new ExporterStub()) {
      String receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/";
      StringBuilder cfg = new StringBuilder("global: {scrape_interval: 1s, scrape_timeout: 900ms}\nscrape_configs:\n");
      for (String page : PAGES) {
        exporters.serve("/" + page, new ExporterStub.Page(Corpus.page(page, t0), Corpus.contentType(page)));
        cfg.append("  - job_name: ").append(Corpus.job(page)).append("\n    metrics_path: /").append(page)
            .append("\n    static_configs: [{targets: ['").append(exporters.address()).append("']}]\n");
      }
      Path promConfig = dir.resolve("prom.yml");
      Path kilnConfig = dir.resolve("kiln.yml");
      String remote = "remote_write:\n  - url: %s\n    metadata_config: {send_interval: 1s, max_samples_per_send: 5000}\n";
      Files.writeString(promConfig, cfg + remote.formatted(receiverUrl + "prometheus"));
      Files.writeString(kilnConfig, cfg + remote.formatted(receiverUrl + "kiln"));
      try (ServerProcess prometheus = ServerProcess.prometheus(promConfig, Files.createDirectories(dir.resolve("p")));
          ServerProcess kiln = ServerProcess.kiln(kilnConfig, Files.createDirectories(dir.resolve("k")))) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        // Each interval sends the whole current set: wait until both sets are complete and stable.
        while (System.nanoTime() < deadline && !(complete(exporters) && latest.containsKey("prometheus")
            && latest.get("prometheus").equals(latest.get("kiln")))) {
          Thread.sleep(200);
        }
        TreeSet<String> p = latest.getOrDefault("prometheus", new TreeSet<>());
        TreeSet<String> k = latest.getOrDefault("kiln", new TreeSet<>());
        assertTrue(p.size() > 250, "Prometheus sent the metadata of every family: " + p.size());
        TreeSet<String> onlyP = new TreeSet<>(p);
        onlyP.removeAll(k);
        TreeSet<String> onlyK = new TreeSet<>(k);
        onlyK.removeAll(p);
        assertEquals("", String.join("\n", onlyP) + (onlyK.isEmpty() ? "" : "\n-- only Kiln:\n" + String.join("\n", onlyK)),
            "metadata only Prometheus sent");
        assertEquals(0, seriesInMetadataRequests.getOrDefault("kiln", 0), "Kiln's metadata requests hold no series");
        assertEquals(senderMetrics(prometheus), senderMetrics(kiln), "sender metrics of samples, histograms and metadata");
      }
    } finally {
      receiver.stop(0);
    }
  }

  /** The per-endpoint sample, histogram and metadata counters a server exposes: names with their label names. */
  private static TreeSet<String> senderMetrics(ServerProcess server) throws Exception {
    String text = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/metrics"))).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    TreeSet<String> out = new TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "(?m)^(prometheus_remote_storage_(?:samples|histograms|metadata)_\\w+)\\{([^}]*)\\}").matcher(text);
    while (m.find()) {
      out.add(m.group(1) + " " + m.group(2).replaceAll("=\"[^\"]*\"", ""));
    }
    return out;
  }

  private static boolean complete(ExporterStub exporters) {
    for (String page : PAGES) {
      if (exporters.scrapes("Prometheus", "/" + page) < 2 || exporters.scrapes("Kiln", "/" + page) < 2) {
        return false;
      }
    }
    return true;
  }
}
