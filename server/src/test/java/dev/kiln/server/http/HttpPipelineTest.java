package dev.kiln.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.server.api.QueryApi;
import dev.kiln.tsdb.memory.InMemoryStorage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 pipeline (codec, compression, body limit, dispatch, router) on Netty's
 * {@link EmbeddedChannel}: raw request bytes in, raw response bytes out, no socket and no thread.
 */
class HttpPipelineTest {
  /** Runs handler work inline, so a response is ready once the channel's pending tasks ran. */
  static final class InlineExecutor extends AbstractExecutorService {
    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final EmbeddedChannel channel = new EmbeddedChannel();

  HttpPipelineTest() {
    Router router = new Router();
    Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
    new QueryApi(new Engine(EngineOptions.DEFAULTS), new InMemoryStorage(), clock, 120_000, 2, timer, () -> 15_000)
        .register(router);
    router.add(Set.of("POST"), "/api/v1/admin/tsdb/snapshot", r -> Response.text(200, "ok\n"));
    router.read("/big", r -> Response.text(200, "metric 1\n".repeat(2_000)));
    router.read("/fail", r -> {
      throw new IllegalStateException("handler broke");
    });
    router.add(Set.of("POST"), "/echo", r -> {
      java.nio.ByteBuffer b = r.bodyBuffer();
      byte[] copy = new byte[b.remaining()];
      b.get(copy);
      return Response.text(200, (b.isDirect() ? "direct " : "heap ") + new String(copy, StandardCharsets.ISO_8859_1)
          + " " + new String(r.body(), StandardCharsets.ISO_8859_1).equals(new String(copy, StandardCharsets.ISO_8859_1)));
    });
    HttpServer server = new HttpServer(router, new InlineExecutor(), r -> null, 1024);
    server.http1(channel.pipeline());
  }

  @AfterEach
  void stop() {
    channel.finishAndReleaseAll();
    timer.shutdownNow();
  }

  /** Sends raw request bytes and returns the raw bytes written back. */
  private byte[] exchange(String request) {
    channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      out.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
    return out.toByteArray();
  }

  /** Parses response bytes, inflating the body when {@code inflate}. */
  private static FullHttpResponse parse(byte[] raw, boolean inflate) {
    EmbeddedChannel client = inflate
        ? new EmbeddedChannel(new HttpResponseDecoder(), new HttpContentDecompressor(), new HttpObjectAggregator(1 << 20))
        : new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
    client.writeInbound(Unpooled.wrappedBuffer(raw));
    FullHttpResponse r = client.readInbound();
    client.finish();
    return r;
  }

  private FullHttpResponse get(String pathAndQuery, String... headers) {
    StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: kiln\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    return parse(exchange(req.append("\r\n").toString()), false);
  }

  private static String body(FullHttpResponse r) {
    String s = r.content().toString(StandardCharsets.UTF_8);
    r.release();
    return s;
  }

  private static String query(String expr) {
    return "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
  }

  @Test
  void aBodyInSeveralReadsIsLentAsOneDirectBufferAndReleasedAfterTheHandler() {
    String body = "abcdefghij".repeat(60);
    String head = "POST /echo HTTP/1.1\r\nHost: kiln\r\nContent-Length: " + body.length() + "\r\n\r\n";
    List<ByteBuf> reads = List.of(
        Unpooled.directBuffer().writeBytes((head + body.substring(0, 100)).getBytes(StandardCharsets.ISO_8859_1)),
        Unpooled.directBuffer().writeBytes(body.substring(100, 350).getBytes(StandardCharsets.ISO_8859_1)),
        Unpooled.directBuffer().writeBytes(body.substring(350).getBytes(StandardCharsets.ISO_8859_1)));
    for (ByteBuf b : reads) {
      channel.writeInbound(b);
    }
    channel.runPendingTasks();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      out.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
    FullHttpResponse r = parse(out.toByteArray(), false);
    assertEquals(200, r.status().code());
    assertEquals("direct " + body + " true", body(r));
    for (ByteBuf b : reads) {
      assertEquals(0, b.refCnt(), "every socket read is released once the handler returned");
    }
  }

  @Test
  void badPromqlIs400WithPrometheusErrorEnvelope() throws Exception {
    FullHttpResponse r = get(query("sum(rate(x[5m])"));
    assertEquals(400, r.status().code());
    assertEquals("application/json", r.headers().get("Content-Type"));
    JsonNode json = JSON.readTree(body(r));
    assertEquals("error", json.get("status").asText());
    assertEquals("bad_data", json.get("errorType").asText());
    assertTrue(json.get("error").asText().contains("parse error"), json.toString());
    assertEquals(3, json.size(), "status, errorType and error only: " + json);
  }

  @Test
  void aMissingQueryParameterIs400() throws Exception {
    JsonNode json = JSON.readTree(body(get("/api/v1/query")));
    assertEquals("bad_data", json.get("errorType").asText());
  }

  @Test
  void aGoodQueryIsJsonSuccess() throws Exception {
    FullHttpResponse r = get(query("1 + 1"));
    assertEquals(200, r.status().code());
    assertEquals("application/json", r.headers().get("Content-Type"));
    assertEquals("keep-alive", r.headers().get("Connection"));
    assertEquals("Accept-Encoding", r.headers().get("Vary"));
    JsonNode json = JSON.readTree(body(r));
    assertEquals("success", json.get("status").asText());
    assertEquals("scalar", json.get("data").get("resultType").asText());
    assertEquals("2", json.get("data").get("result").get(1).asText());
    assertTrue(channel.isOpen(), "HTTP/1.1 keeps the connection");
  }

  @Test
  void unknownPathsAre404() {
    FullHttpResponse r = get("/api/v1/nope");
    assertEquals(404, r.status().code());
    assertEquals("text/plain; charset=utf-8", r.headers().get("Content-Type"));
    assertEquals("404 page not found\n", body(r));
  }

  @Test
  void knownPathsWithAnotherMethodAre405WithAllow() {
    FullHttpResponse r = parse(exchange("DELETE /api/v1/query HTTP/1.1\r\nHost: kiln\r\n\r\n"), false);
    assertEquals(405, r.status().code());
    assertEquals("GET, POST", r.headers().get("Allow"));
    r.release();
    r = get("/api/v1/admin/tsdb/snapshot");
    assertEquals(405, r.status().code());
    assertEquals("POST", r.headers().get("Allow"));
    r.release();
  }

  @Test
  void responsesAreGzippedOnlyWhenAsked() {
    FullHttpResponse plain = get("/big");
    assertNull(plain.headers().get("Content-Encoding"));
    assertEquals(18_000, plain.content().readableBytes());
    plain.release();
    byte[] raw = exchange("GET /big HTTP/1.1\r\nHost: kiln\r\nAccept-Encoding: gzip\r\n\r\n");
    FullHttpResponse zipped = parse(raw, false);
    assertEquals("gzip", zipped.headers().get("Content-Encoding"));
    assertTrue(zipped.content().readableBytes() < 1_000, "2,000 equal lines compress well");
    zipped.release();
    assertEquals("metric 1\n".repeat(2_000), body(parse(raw, true)));
  }

  @Test
  void formEncodedPostBodiesCarryParameters() throws Exception {
    String form = "query=" + URLEncoder.encode("vector(3)", StandardCharsets.UTF_8);
    FullHttpResponse r = parse(exchange("POST /api/v1/query HTTP/1.1\r\nHost: kiln\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n\r\n" + form), false);
    JsonNode json = JSON.readTree(body(r));
    assertEquals("vector", json.get("data").get("resultType").asText());
  }

  @Test
  void bodiesOverTheLimitAre413() {
    String body = "x".repeat(2_000);
    FullHttpResponse r = parse(exchange("POST /api/v1/admin/tsdb/snapshot HTTP/1.1\r\nHost: kiln\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body), false);
    assertEquals(413, r.status().code());
    r.release();
  }

  @Test
  void aFailingHandlerIs500InTheErrorEnvelope() throws Exception {
    FullHttpResponse r = get("/fail");
    assertEquals(500, r.status().code());
    JsonNode json = JSON.readTree(body(r));
    assertEquals("internal", json.get("errorType").asText());
    assertEquals("handler broke", json.get("error").asText());
  }

  @Test
  void corsHeadersAnswerAnOrigin() {
    FullHttpResponse r = get("/api/v1/nope", "Origin: http://grafana");
    assertEquals("*", r.headers().get("Access-Control-Allow-Origin"));
    assertEquals("GET, POST, OPTIONS", r.headers().get("Access-Control-Allow-Methods"));
    r.release();
    FullHttpResponse none = get("/api/v1/nope");
    assertNull(none.headers().get("Access-Control-Allow-Origin"));
    none.release();
  }

  @Test
  void connectionCloseClosesAfterTheResponse() {
    FullHttpResponse r = get("/api/v1/nope", "Connection: close");
    assertEquals(404, r.status().code());
    r.release();
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
  }

  @Test
  void headIsServedAsGet() {
    byte[] raw = exchange("HEAD /api/v1/admin/tsdb/snapshot HTTP/1.1\r\nHost: kiln\r\n\r\n");
    assertTrue(new String(raw, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 405 "), "snapshot is POST only");
    raw = exchange("HEAD /big HTTP/1.1\r\nHost: kiln\r\n\r\n");
    assertTrue(new String(raw, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200 "));
  }
}
