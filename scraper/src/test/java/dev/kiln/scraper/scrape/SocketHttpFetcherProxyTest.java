package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SocketHttpFetcherProxyTest {
  private static HttpClientConfig parse(String yaml) {
    return ConfigLoader.parse("test", "scrape_configs:\n  - job_name: x\n" + yaml, Path.of(".")).scrapeConfigs().get(0)
        .http();
  }

  @Test
  void scrapesGoThroughTheConfiguredProxy() throws Exception {
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> seen = new CopyOnWriteArrayList<>();
    proxy.createContext("/", ex -> {
      seen.add(ex.getRequestURI().toString());
      byte[] body = "up_via_proxy 1\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    proxy.start();
    try {
      String proxyUrl = "http://127.0.0.1:" + proxy.getAddress().getPort();
      HttpClientConfig cfg = parse("    proxy_url: " + proxyUrl + "\n    no_proxy: localhost,.internal\n");
      HttpFetcher fetcher = new SocketHttpFetcher();
      HttpFetcher.Response r = fetcher.fetch(URI.create("http://exporter.example.test:9100/metrics"), Map.of(), cfg,
          5000, 1 << 20);
      assertEquals(200, r.status());
      assertEquals(List.of("http://exporter.example.test:9100/metrics"), seen);
    } finally {
      proxy.stop(0);
    }
  }
}
