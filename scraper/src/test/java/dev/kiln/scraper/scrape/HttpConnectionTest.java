package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** {@link HttpConnection} over in-memory streams: request bytes and HTTP/1.1 response framing. */
class HttpConnectionTest {
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private final List<Integer> timeouts = new ArrayList<>();
  private boolean closed;

  private HttpConnection connection(byte[] response) {
    return new HttpConnection(new ByteArrayInputStream(response), sent, timeouts::add, () -> closed = true);
  }

  private HttpConnection connection(String response) {
    return connection(response.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static long deadline() {
    return System.nanoTime() + 60_000_000_000L;
  }

  private static String body(HttpFetcher.Response r) {
    return new String(r.body(), 0, r.length(), StandardCharsets.UTF_8);
  }

  private static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  private static byte[] concat(String head, byte[] body) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    b.writeBytes(body);
    return b.toByteArray();
  }

  @Test
  void theRequestCarriesPathQueryHostWithoutUserInfoAndHeadersInOrder() throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "text/plain");
    headers.put("User-Agent", "Kiln/test");
    headers.put("Authorization", "Basic dTpw");
    byte[] r = HttpConnection.request(URI.create("http://u:p@h:9100/metrics?x=1&y=%20"), headers);
    assertEquals("GET /metrics?x=1&y=%20 HTTP/1.1\r\nHost: h:9100\r\nAccept: text/plain\r\nUser-Agent: Kiln/test\r\n"
        + "Authorization: Basic dTpw\r\n\r\n", new String(r, StandardCharsets.UTF_8));
    assertEquals("GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        new String(HttpConnection.request(URI.create("http://h"), Map.of()), StandardCharsets.UTF_8));
  }

  @Test
  void headersWithLineBreaksAreRefused() {
    IOException e = assertThrows(IOException.class,
        () -> HttpConnection.request(URI.create("http://h/"), Map.of("X", "a\r\nInjected: 1")));
    assertEquals("invalid header X", e.getMessage());
  }

  @Test
  void aContentLengthBodyLandsInTheGivenBufferAndTheConnectionStaysOpen() throws IOException {
    HttpConnection c = connection("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 4\r\n\r\nup 1");
    byte[] reuse = new byte[64];
    HttpConnection.Exchange x = c.exchange("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.UTF_8), deadline(), reuse, 0);
    assertEquals(200, x.status);
    assertTrue(x.keepAlive);
    assertSame(reuse, x.response.body());
    assertEquals("up 1", body(x.response));
    assertEquals("text/plain; version=0.0.4", x.response.contentType());
    assertEquals("GET / HTTP/1.1\r\n\r\n", sent.toString(StandardCharsets.UTF_8));
    assertFalse(timeouts.isEmpty(), "every blocking read is bounded by the deadline");
    assertTrue(timeouts.stream().allMatch(t -> t > 0 && t <= 60_000));
  }

  @Test
  void bytesLeftFromAnEarlierResponseAreDiscardedByTheNextExchange() throws IOException {
    HttpConnection c = connection("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nbc");
    assertEquals("a", body(c.exchange(new byte[0], deadline(), null, 0).response));
    // Requests are not pipelined: whatever followed the first response was not an answer to the second request.
    assertThrows(HttpConnection.StaleConnection.class, () -> c.exchange(new byte[0], deadline(), null, 0));
  }

  @Test
  void chunkedBodiesIgnoreExtensionsAndTrailers() throws IOException {
    HttpConnection c = connection("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3;ext=1\r\nabc\r\n5\r\ndefgh\r\n0\r\nTrailer: x\r\n\r\n");
    HttpConnection.Exchange x = c.exchange(new byte[0], deadline(), new byte[2], 0);
    assertEquals("abcdefgh", body(x.response), "the buffer grows past the reused one");
    assertTrue(x.keepAlive);
  }

  @Test
  void badChunkFramingIsAnError() {
    IOException e = assertThrows(IOException.class, () -> connection(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").exchange(new byte[0], deadline(), null, 0));
    assertEquals("bad chunk size \"zz\"", e.getMessage());
    e = assertThrows(IOException.class, () -> connection(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n").exchange(new byte[0], deadline(), null, 0));
    assertEquals("malformed chunk", e.getMessage());
  }

  @Test
  void gzipBodiesAreInflatedChunkedOrNot() throws IOException {
    byte[] gz = gzip("metric 42\n");
    HttpConnection plain = connection(concat("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length
        + "\r\n\r\n", gz));
    assertEquals("metric 42\n", body(plain.exchange(new byte[0], deadline(), null, 0).response));
    String hex = Integer.toHexString(gz.length);
    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    chunked.writeBytes(("HTTP/1.1 200 OK\r\nContent-Encoding: GZIP\r\nTransfer-Encoding: chunked\r\n\r\n" + hex + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    chunked.writeBytes(gz);
    chunked.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals("metric 42\n", body(connection(chunked.toByteArray()).exchange(new byte[0], deadline(), null, 0).response));
  }

  @Test
  void theBodyLimitAppliesToTheInflatedBody() throws IOException {
    byte[] gz = gzip("x".repeat(10_000));
    HttpConnection c = connection(concat("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length
        + "\r\n\r\n", gz));
    assertThrows(HttpFetcher.BodyTooLargeException.class, () -> c.exchange(new byte[0], deadline(), null, 5_000));
  }

  @Test
  void bodiesOverTheLimitAreRefusedWhateverTheirFraming() {
    assertThrows(HttpFetcher.BodyTooLargeException.class, () -> connection(
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world").exchange(new byte[0], deadline(), null, 10));
    assertThrows(HttpFetcher.BodyTooLargeException.class, () -> connection(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 10));
    assertThrows(HttpFetcher.BodyTooLargeException.class, () -> connection(
        "HTTP/1.0 200 OK\r\n\r\nhello world").exchange(new byte[0], deadline(), null, 10));
  }

  @Test
  void interimResponsesAreSkipped() throws IOException {
    HttpConnection.Exchange x = connection("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        .exchange(new byte[0], deadline(), null, 0);
    assertEquals(201, x.status);
    assertEquals("ok", body(x.response));
  }

  @Test
  void keepAliveFollowsTheProtocolVersionAndConnectionHeader() throws IOException {
    assertFalse(connection("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 0).keepAlive);
    assertTrue(connection("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 0).keepAlive);
    HttpConnection.Exchange toEof = connection("HTTP/1.0 200 OK\r\n\r\nall of it").exchange(new byte[0], deadline(), null, 0);
    assertFalse(toEof.keepAlive, "a body without length ends with the connection");
    assertEquals("all of it", body(toEof.response));
  }

  @Test
  void noBodyStatusesReadNoBody() throws IOException {
    HttpConnection.Exchange x = connection("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 0);
    assertEquals(204, x.status);
    assertEquals(0, x.response.length());
    assertTrue(x.keepAlive);
  }

  @Test
  void redirectsReportTheirLocation() throws IOException {
    HttpConnection.Exchange x = connection("HTTP/1.1 302 Found\r\nLocation: /other\r\nContent-Length: 0\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 0);
    assertEquals(302, x.status);
    assertTrue(x.location);
  }

  @Test
  void aConnectionThatEndsBeforeTheResponseIsStale() {
    assertThrows(HttpConnection.StaleConnection.class, () -> connection("").exchange(new byte[0], deadline(), null, 0));
  }

  @Test
  void malformedResponsesAreNamed() {
    IOException e = assertThrows(IOException.class, () -> connection("SPDY/3 200 OK\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 0));
    assertEquals("malformed HTTP response \"SPDY/3 200 OK\"", e.getMessage());
    e = assertThrows(IOException.class, () -> connection("HTTP/1.1 2x0 OK\r\n\r\n").exchange(new byte[0], deadline(), null, 0));
    assertEquals("malformed HTTP status code \"HTTP/1.1 2x0 OK\"", e.getMessage());
    e = assertThrows(IOException.class, () -> connection("HTTP/1.1 200 OK\r\nno colon\r\n\r\n")
        .exchange(new byte[0], deadline(), null, 0));
    assertEquals("malformed HTTP header \"no colon\"", e.getMessage());
    e = assertThrows(IOException.class, () -> connection("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")
        .exchange(new byte[0], deadline(), null, 0));
    assertEquals("unexpected EOF", e.getMessage());
  }

  @Test
  void aPassedDeadlineStopsTheExchange() {
    assertThrows(HttpConnection.Deadline.class, () -> connection("HTTP/1.1 200 OK\r\n\r\n")
        .exchange(new byte[0], System.nanoTime() - 1, null, 0));
  }

  @Test
  void closeClosesTheTransport() {
    HttpConnection c = connection("");
    c.close();
    assertTrue(closed);
  }

  @Test
  void gzipOfABodyRoundTripsBytesExactly() throws IOException {
    byte[] original = new byte[40_000];
    new java.util.Random(7).nextBytes(original);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(original);
    }
    byte[] gz = b.toByteArray();
    HttpFetcher.Response r = connection(concat("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length
        + "\r\n\r\n", gz)).exchange(new byte[0], deadline(), null, 0).response;
    assertArrayEquals(original, java.util.Arrays.copyOf(r.body(), r.length()));
  }
}
