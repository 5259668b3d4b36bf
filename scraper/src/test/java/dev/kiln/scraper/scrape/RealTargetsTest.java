package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.Peer;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SeriesSet;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Scrapes real exporters (Debian packages) and broken endpoints over loopback. */
class RealTargetsTest {
  private final InMemoryStorage storage = new InMemoryStorage();

  private ScrapeLoop loop(String address, String extraYaml) {
    return loop(address, extraYaml, new SocketHttpFetcher());
  }

  private ScrapeLoop loop(String address, String extraYaml, HttpFetcher fetcher) {
    String yaml = "scrape_configs:\n  - job_name: real\n    scrape_interval: 15s\n    scrape_timeout: 2s\n" + extraYaml;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("real");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of(address), Map.of(), "s"))).get(0).target();
    return new ScrapeLoop("real", t, cfg, storage, fetcher, Clock.systemUTC(), "Kiln/test", false);
  }

  private TreeSet<Labels> storedSeries(String job) {
    TreeSet<Labels> out = new TreeSet<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("job", job));
      while (s.next()) {
        out.add(s.at().labels());
      }
    }
    return out;
  }

  private static Map<Labels, Double> direct(String url) throws Exception {
    String body = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<Labels, Double> out = new HashMap<>();
    ExpositionParser.parse(body, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void sample(String raw, ParsedSeries s, double v, long t) {
        out.putIfAbsent(s.labels(), v);
      }
    });
    return out;
  }

  @Test
  void scrapesNodeExporterCompletely() throws Exception {
    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}")) {
      ScrapeLoop l = loop(ne.address(), "");
      l.scrape();
      assertEquals("", l.status().lastError());
      Map<Labels, Double> reference = direct(ne.url("/metrics"));
      TreeSet<Labels> stored = storedSeries("real");
      int synthetic = 5;
      assertEquals(reference.size() + synthetic, stored.size(), "every exposed series plus the synthetic ones");
      Labels memTotal = Labels.of("__name__", "node_memory_MemTotal_bytes", "job", "real", "instance", ne.address());
      assertTrue(stored.contains(memTotal));
      assertTrue(l.metadata().containsKey("node_cpu_seconds_total"));
    }
  }

  @Test
  void socketAndJdkClientsStoreTheSameNodeExporterSeries() throws Exception {
    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}")) {
      ScrapeLoop socket = loop(ne.address(), "");
      socket.scrape();
      socket.scrape();
      assertEquals("", socket.status().lastError());
      TreeSet<Labels> viaSocket = storedSeries("real");
      storage.clear();
      ScrapeLoop jdk = loop(ne.address(), "", new JdkHttpFetcher());
      jdk.scrape();
      assertEquals("", jdk.status().lastError());
      viaSocket.removeIf(l -> l.metricName().startsWith("node_scrape_collector") || l.metricName().startsWith("go_"));
      TreeSet<Labels> viaJdk = storedSeries("real");
      viaJdk.removeIf(l -> l.metricName().startsWith("node_scrape_collector") || l.metricName().startsWith("go_"));
      assertEquals(viaJdk, viaSocket);
    }
  }

  @Test
  void scrapesPushgatewayWithHonorLabels() throws Exception {
    try (Peer pg = Peer.start("prometheus-pushgateway", "/-/ready", "--web.listen-address=127.0.0.1:{port}")) {
      HttpClient c = HttpClient.newHttpClient();
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(pg.url("/metrics/job/batch/instance/i1")))
          .PUT(HttpRequest.BodyPublishers.ofString("# TYPE done gauge\ndone 42\n")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      ScrapeLoop l = loop(pg.address(), "    honor_labels: true\n");
      l.scrape();
      assertEquals("", l.status().lastError());
      try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
        SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", "done"));
        assertTrue(s.next());
        assertEquals(Labels.of("__name__", "done", "job", "batch", "instance", "i1"), s.at().labels());
      }
    }
  }

  @Test
  void brokenTargetsReportReadableErrors() throws Exception {
    int closed = Peer.freePort();
    ScrapeLoop refused = loop("127.0.0.1:" + closed, "");
    refused.scrape();
    assertEquals(TargetHealth.DOWN, refused.status().health());
    assertTrue(refused.status().lastError().contains("connection refused"), refused.status().lastError());

    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (java.io.IOException e) {
          // socket closed at the end of the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      ScrapeLoop timeout = loop("127.0.0.1:" + silent.getLocalPort(), "");
      timeout.scrape();
      assertTrue(timeout.status().lastError().contains("deadline exceeded"), timeout.status().lastError());
      for (Socket s : accepted) {
        s.close();
      }
    }

    try (Peer ne = Peer.start("prometheus-node-exporter", "/metrics", "--web.listen-address=127.0.0.1:{port}")) {
      ScrapeLoop limited = loop(ne.address(), "    body_size_limit: 1KB\n");
      limited.scrape();
      assertTrue(limited.status().lastError().contains("body size limit exceeded"), limited.status().lastError());
      TreeSet<Labels> stored = storedSeries("real");
      assertEquals(15, stored.size(), "three failed targets, five synthetic series each");
      for (Labels l : stored) {
        assertTrue(List.of("up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
            "scrape_series_added").contains(l.metricName()), "nothing of a failed scrape is ingested: " + l);
      }
    }
  }
}
