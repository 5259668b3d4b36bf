package dev.kiln.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The route prefix and the connection limit of the HTTP front. */
class HttpServerFrontTest {
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    workers.shutdownNow();
  }

  private HttpServer serverWith(Router router) {
    return new HttpServer(router, workers, r -> null, 1 << 20);
  }

  private static Request get(String path) {
    return new Request("GET", path, Map.of(), Map.of(), new byte[0]);
  }

  @Test
  void everyRouteLivesUnderThePrefix() {
    Router router = new Router().read("/-/ready", r -> Response.text(200, "ready\n")).read("/api/v1/*", r -> Response.text(200, r.path()));
    server = serverWith(router);
    server.setRoutePrefix("/prom");
    assertEquals(200, server.dispatch(get("/prom/-/ready")).status());
    assertEquals("/api/v1/query", new String(server.dispatch(get("/prom/api/v1/query")).body(), StandardCharsets.UTF_8),
        "handlers see the path without the prefix");
    assertEquals(404, server.dispatch(get("/-/ready")).status());
    assertEquals(404, server.dispatch(get("/prometheus/-/ready")).status(), "a longer segment is not the prefix");
    Response root = server.dispatch(get("/"));
    assertEquals(302, root.status());
    assertEquals("/prom", root.headers().get("Location"));
  }

  private static String request(Socket s) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
  }

  @Test
  void connectionsBeyondTheLimitWaitUntilOneCloses() throws Exception {
    server = serverWith(new Router().read("/x", r -> Response.text(200, "ok\n")));
    server.setMaxConnections(1);
    InetSocketAddress addr = server.start("127.0.0.1", 0);
    Socket first = new Socket(addr.getAddress(), addr.getPort());
    first.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] buf = new byte[12];
    assertEquals(12, first.getInputStream().readNBytes(buf, 0, 12), "the first connection is served");
    try (Socket second = new Socket(addr.getAddress(), addr.getPort())) {
      second.setSoTimeout(700);
      second.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThrows(SocketTimeoutException.class, () -> second.getInputStream().read(), "not served while at the limit");
      first.close();
      second.setSoTimeout(10_000);
      String resp = new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(resp.startsWith("HTTP/1.1 200"), resp);
    }
    try (Socket third = new Socket(addr.getAddress(), addr.getPort())) {
      third.setSoTimeout(10_000);
      assertTrue(request(third).contains("ok"), "accepting resumes");
    }
  }
}
