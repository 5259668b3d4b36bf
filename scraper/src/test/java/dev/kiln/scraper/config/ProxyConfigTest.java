package dev.kiln.scraper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.scraper.scrape.HttpFetcher;
import dev.kiln.scraper.scrape.SocketHttpFetcher;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
  private static HttpClientConfig parse(String yaml) {
    return ConfigLoader.parse("test", "scrape_configs:\n  - job_name: x\n" + yaml, Path.of(".")).scrapeConfigs().get(0)
        .http();
  }

  @Test
  void scrapesGoThroughTheProxyExceptForNoProxyHosts() throws Exception {
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
      assertTrue(ProxyConfig.exempted("db.internal", cfg.proxy().noProxy()));
      assertTrue(ProxyConfig.exempted("localhost", cfg.proxy().noProxy()));
      assertFalse(ProxyConfig.exempted("exporter.example.test", cfg.proxy().noProxy()));
    } finally {
      proxy.stop(0);
    }
    assertThrows(ConfigException.class, () -> parse("    no_proxy: localhost\n"));
  }
}
