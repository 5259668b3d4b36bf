package dev.kiln.server.differential;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fake exporters on one loopback port: each path serves a page with its content type, and counts
 * the scrapes it answered per scraper (by the first word of the User-Agent), so a test can wait
 * until both servers have scraped a page version.
 */
final class ExporterStub implements AutoCloseable {
  /** A page: its body and the Content-Type it is served with. */
  record Page(String body, String contentType) {}

  private final HttpServer server;
  private final Map<String, Page> pages = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> scrapes = new ConcurrentHashMap<>();

  ExporterStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), dev.kiln.scraper.Peer.freePort()), 16);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      Page page = pages.get(path);
      String agent = exchange.getRequestHeaders().getFirst("User-Agent");
      String scraper = agent == null ? "?" : agent.split("/", 2)[0];
      try (exchange) {
        if (page == null) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        byte[] body = page.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", page.contentType());
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
        scrapes.computeIfAbsent(scraper + " " + path, k -> new AtomicInteger()).incrementAndGet();
      }
    });
    server.start();
  }

  /** Serves {@code page} at {@code path} from now on, and resets that path's scrape counts. */
  void serve(String path, Page page) {
    pages.put(path, page);
    scrapes.keySet().removeIf(k -> k.endsWith(" " + path));
  }

  /** How many times the scraper whose User-Agent starts with {@code scraper} fetched {@code path}. */
  int scrapes(String scraper, String path) {
    AtomicInteger n = scrapes.get(scraper + " " + path);
    return n == null ? 0 : n.get();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
