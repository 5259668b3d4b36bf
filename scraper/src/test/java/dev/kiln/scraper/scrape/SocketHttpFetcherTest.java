package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.HttpClientConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SocketHttpFetcherTest {
  /** Answers each request with the next scripted response; optionally closes the connection after it. */
  static final class ScriptedServer implements AutoCloseable {
    record Reply(byte[] bytes, boolean close) {}

    final ServerSocket server;
    final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger connections = new AtomicInteger();
    final List<Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());

    ScriptedServer() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::acceptLoop, "scripted-server");
      t.setDaemon(true);
      t.start();
    }

    URI url(String path) {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    void reply(String head, byte[] body, boolean close) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
      b.writeBytes(body);
      replies.add(new Reply(b.toByteArray(), close));
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket s = server.accept();
          open.add(s);
          connections.incrementAndGet();
          Thread t = new Thread(() -> serve(s), "scripted-conn");
          t.setDaemon(true);
          t.start();
        }
      } catch (IOException e) {
        // closed
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
          ByteArrayOutputStream head = new ByteArrayOutputStream();
          int c;
          while ((c = in.read()) >= 0) {
            head.write(c);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
              break;
            }
          }
          if (c < 0) {
            return;
          }
          requests.add(head.toString(StandardCharsets.ISO_8859_1));
          Reply r = replies.take();
          if (r.bytes().length > 0) {
            out.write(r.bytes());
            out.flush();
          }
          if (r.close()) {
            return;
          }
        }
      } catch (IOException | InterruptedException e) {
        // connection gone
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  /** Records that it was asked. */
  static final class RecordingFallback implements HttpFetcher {
    final List<URI> asked = new ArrayList<>();

    @Override
    public Response fetch(URI url, Map<String, String> headers, HttpClientConfig client, long timeoutMillis, long limit) {
      asked.add(url);
      byte[] b = "fallback 1\n".getBytes(StandardCharsets.UTF_8);
      return new Response(200, "text/plain", b, b.length);
    }
  }

  private final ScriptedServer server;
  private final RecordingFallback fallback = new RecordingFallback();
  private final SocketHttpFetcher fetcher = new SocketHttpFetcher(fallback);
  private static final Map<String, String> HEADERS = Map.of("Accept", "text/plain", "User-Agent", "Kiln/test");

  SocketHttpFetcherTest() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private static String body(HttpFetcher.Response r) {
    return new String(r.body(), 0, r.length(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  @Test
  void keepAliveConnectionIsReusedAndTheBodyLandsInTheGivenBuffer() throws IOException {
    server.reply("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 4\r\n\r\n", utf8("a 1\n"), false);
    server.reply("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\n", utf8("b 2\n"), false);
    HttpClientConfig auth = new HttpClientConfig("user", "pass", null, null, null, null, false, null, null, true, Map.of());
    Map<String, String> withAuth = new java.util.LinkedHashMap<>(HEADERS);
    withAuth.put("Authorization", auth.newAuthorization().header());
    HttpFetcher.Response first = fetcher.fetch(server.url("/metrics?x=1"), withAuth, auth, 5000, 0);
    assertEquals(200, first.status());
    assertEquals("text/plain; version=0.0.4", first.contentType());
    assertEquals("a 1\n", body(first));
    byte[] reuse = new byte[64];
    HttpFetcher.Response second = fetcher.fetch(server.url("/metrics"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0, reuse);
    assertSame(reuse, second.body());
    assertEquals("b 2\n", body(second));
    assertEquals(1, server.connections.get());
    String req = server.requests.get(0);
    assertTrue(req.startsWith("GET /metrics?x=1 HTTP/1.1\r\n"), req);
    assertTrue(req.contains("\r\nHost: 127.0.0.1:" + server.server.getLocalPort() + "\r\n"), req);
    assertTrue(req.contains("\r\nAccept: text/plain\r\n"), req);
    assertTrue(req.contains("\r\nAuthorization: Basic dXNlcjpwYXNz\r\n"), req);
    assertTrue(fallback.asked.isEmpty());
  }

  @Test
  void chunkedGzipBodiesAreDecoded() throws IOException {
    byte[] page = utf8("x{a=\"1\"} 1\n".repeat(5000));
    byte[] gz = gzip(page);
    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    for (int off = 0; off < gz.length; off += 1000) {
      int n = Math.min(1000, gz.length - off);
      chunked.writeBytes(utf8(Integer.toHexString(n) + ";ext=1\r\n"));
      chunked.write(gz, off, n);
      chunked.writeBytes(utf8("\r\n"));
    }
    chunked.writeBytes(utf8("0\r\nTrailer: x\r\n\r\n"));
    server.reply("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", chunked.toByteArray(), false);
    server.reply("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length + "\r\n\r\n", gz, false);
    for (int i = 0; i < 2; i++) {
      HttpFetcher.Response r = fetcher.fetch(server.url("/metrics"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0);
      assertEquals(new String(page, StandardCharsets.UTF_8), body(r));
    }
    assertThrows(HttpFetcher.BodyTooLargeException.class, () -> {
      server.reply("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length + "\r\n\r\n", gz, false);
      fetcher.fetch(server.url("/metrics"), HEADERS, HttpClientConfig.DEFAULT, 5000, 10_000);
    });
  }

  @Test
  void http10BodiesEndWithTheConnection() throws IOException {
    server.reply("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", utf8("x 1\ny 2\n"), true);
    server.reply("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\n", utf8("z 3\n"), true);
    assertEquals("x 1\ny 2\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    assertEquals("z 3\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    assertEquals(2, server.connections.get());
  }

  @Test
  void aKeptAliveConnectionTheTargetClosedIsRetriedOnce() throws IOException {
    server.reply("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", utf8("a 1\n"), true);
    server.reply("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", utf8("b 2\n"), false);
    assertEquals("a 1\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    assertEquals("b 2\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    assertEquals(2, server.connections.get());
  }

  @Test
  void aTargetThatClosesAfterEveryResponseGetsANewConnectionForEachScrape() throws IOException {
    for (int i = 0; i < 3; i++) {
      server.reply("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\n", utf8("c " + i + "\n"), true);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals("c " + i + "\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    }
    assertEquals(3, server.connections.get());
    assertEquals(3, server.requests.size(), "no request was retried");
  }

  @Test
  void aKeptAliveConnectionThatEndsInsideAResponseIsNotRetried() throws IOException {
    server.reply("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", utf8("a 1\n"), false);
    server.reply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", utf8("b 2"), true);
    assertEquals("a 1\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    assertThrows(IOException.class, () -> fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0));
    assertEquals(1, server.connections.get());
    assertEquals(2, server.requests.size(), "a response that had begun was retried");
  }

  @Test
  void limitsStatusesAndErrorsMatchTheJdkClient() throws IOException {
    server.reply("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", new byte[5000], false);
    assertThrows(HttpFetcher.BodyTooLargeException.class,
        () -> fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 4999));
    server.reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", utf8("1388\r\n" + "x".repeat(5000) + "\r\n0\r\n\r\n"), false);
    assertThrows(HttpFetcher.BodyTooLargeException.class,
        () -> fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 4999));
    server.reply("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\n", utf8("busy"), false);
    assertEquals(503, fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0).status());
    server.reply("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n", new byte[0], false);
    HttpClientConfig noRedirects = new HttpClientConfig(null, null, null, null, null, null, false, null, null, false, Map.of());
    assertEquals(302, fetcher.fetch(server.url("/"), HEADERS, noRedirects, 5000, 0).status());
    assertTrue(fallback.asked.isEmpty());
    server.reply("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n", new byte[0], false);
    assertEquals("fallback 1\n", body(fetcher.fetch(server.url("/"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0)));
    assertEquals(List.of(server.url("/")), fallback.asked, "redirects are followed by the fallback client");
    fetcher.fetch(URI.create("https://127.0.0.1:1/metrics"), HEADERS, HttpClientConfig.DEFAULT, 5000, 0);
    assertEquals(2, fallback.asked.size(), "https goes to the fallback client");

    server.reply("", new byte[0], false); // never answers
    IOException timeout = assertThrows(IOException.class,
        () -> new SocketHttpFetcher(fallback).fetch(server.url("/slow"), HEADERS, HttpClientConfig.DEFAULT, 200, 0));
    assertEquals("Get \"" + server.url("/slow") + "\": context deadline exceeded", timeout.getMessage());

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    URI refused = URI.create("http://127.0.0.1:" + closedPort + "/metrics");
    IOException e = assertThrows(IOException.class, () -> fetcher.fetch(refused, HEADERS, HttpClientConfig.DEFAULT, 5000, 0));
    assertEquals("Get \"" + refused + "\": connection refused", e.getMessage());
  }
}
