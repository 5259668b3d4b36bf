package dev.kiln.scraper.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.scraper.Peer;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.tsdb.model.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Compares Kiln's host metrics with the real node_exporter on the same machine. */
class HostCollectorTest {
  private static Map<Labels, Double> parse(String text) {
    Map<Labels, Double> out = new HashMap<>();
    ExpositionParser.parse(text, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void sample(String raw, ParsedSeries s, double v, long t) {
        out.put(s.labels(), v);
      }
    });
    return out;
  }

  private static TreeSet<Labels> family(Map<Labels, Double> all, String name) {
    TreeSet<Labels> out = new TreeSet<>();
    for (Labels l : all.keySet()) {
      if (name.equals(l.metricName())) {
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void matchesNodeExporterNamesLabelsAndValues() throws Exception {
    String theirs;
    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}")) {
      HttpClient c = HttpClient.newHttpClient();
      theirs = c.send(HttpRequest.newBuilder(URI.create(ne.url("/metrics"))).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
    Map<Labels, Double> ours = parse(new HostCollector().collect());
    Map<Labels, Double> ref = parse(theirs);

    for (String f : List.of("node_cpu_seconds_total", "node_network_receive_bytes_total", "node_network_transmit_packets_total",
        "node_disk_read_bytes_total", "node_disk_io_now", "node_load1", "node_boot_time_seconds", "node_uname_info",
        "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_memory_Active_anon_bytes")) {
      assertEquals(family(ref, f), family(ours, f), "label sets of " + f);
    }
    // Every filesystem node_exporter reports, Kiln reports with the same labels.
    for (String f : List.of("node_filesystem_size_bytes", "node_filesystem_avail_bytes", "node_filesystem_files", "node_filesystem_files_free")) {
      assertTrue(family(ours, f).containsAll(family(ref, f)), f + ": " + family(ref, f) + " vs " + family(ours, f));
    }
    Labels root = family(ref, "node_filesystem_size_bytes").first();
    assertEquals(ref.get(root), ours.get(root), "filesystem size");
    Labels rootFiles = root.toBuilder().set("__name__", "node_filesystem_files").build();
    assertEquals(ref.get(rootFiles), ours.get(rootFiles), "filesystem inode count");
    Labels memTotal = Labels.of("__name__", "node_memory_MemTotal_bytes");
    assertEquals(ref.get(memTotal), ours.get(memTotal));
    Labels boot = Labels.of("__name__", "node_boot_time_seconds");
    assertEquals(ref.get(boot), ours.get(boot));
    for (Labels cpu : family(ref, "node_cpu_seconds_total")) {
      double diff = ours.get(cpu) - ref.get(cpu);
      assertTrue(diff >= 0 && diff < 60, cpu + " differs by " + diff + " s");
    }
  }
}
