package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.tsdb.memory.InMemoryStorage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JDK fetcher keeps one client per client setting, and a reload lets go of the removed ones. */
class JdkHttpFetcherClientsTest {
  private static HttpClientConfig settings(String job, String redirects) {
    String yaml = "scrape_configs:\n  - job_name: " + job + "\n    follow_redirects: " + redirects + "\n";
    return ConfigLoader.parse("p.yml", yaml, Path.of("/")).scrapeConfig(job).http();
  }

  @Test
  void clientsOfSettingsNoLongerInUseAreDropped() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", x -> {
      byte[] b = "up 1\n".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    server.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
      JdkHttpFetcher f = new JdkHttpFetcher();
      HttpClientConfig following = settings("a", "true");
      HttpClientConfig notFollowing = settings("b", "false");
      f.fetch(url, Map.of(), following, 5_000, 0);
      f.fetch(url, Map.of(), notFollowing, 5_000, 0);
      f.fetch(url, Map.of(), settings("c", "true"), 5_000, 0);
      assertEquals(2, f.clientCount(), "equal settings share a client");
      f.retainClients(List.of(notFollowing));
      assertEquals(1, f.clientCount());
      f.fetch(url, Map.of(), notFollowing, 5_000, 0);
      assertEquals(1, f.clientCount(), "the retained client is reused");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aReloadRetainsTheClientSettingsOfTheJobsItKeeps() {
    List<List<HttpClientConfig>> retained = new ArrayList<>();
    HttpFetcher recording = new HttpFetcher() {
      @Override
      public Response fetch(URI url, Map<String, String> headers, HttpClientConfig client, long timeout, long limit) {
        throw new AssertionError("the jobs of this test have no targets, so nothing is fetched");
      }

      @Override
      public void retainClients(Collection<HttpClientConfig> live) {
        retained.add(List.copyOf(live));
      }
    };
    String two = """
        scrape_configs:
          - job_name: a
            scrape_interval: 1h
          - job_name: b
            scrape_interval: 1h
            follow_redirects: false
        """;
    String one = two.substring(0, two.indexOf("  - job_name: b"));
    try (ScrapeManager m = new ScrapeManager(new InMemoryStorage(), recording, Clock.systemUTC(), "Kiln/test", 1)) {
      PrometheusConfig first = ConfigLoader.parse("p.yml", two, Path.of("/"));
      m.apply(first);
      m.apply(ConfigLoader.parse("p.yml", one, Path.of("/")));
      assertEquals(List.of(List.of(first.scrapeConfig("a").http(), first.scrapeConfig("b").http()),
          List.of(first.scrapeConfig("a").http())), retained);
    }
  }
}
