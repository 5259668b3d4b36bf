package dev.kiln.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Kiln's HTTP server on Netty: codec with Go-sized request-line and header limits (1 MiB),
 * gzip/deflate per Accept-Encoding, a body-size limit, CORS, and dispatch of each request to a
 * {@link Router} handler on a worker executor (never the event loop).
 */
public final class HttpServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpServer.class);
  private static final int MAX_LINE_AND_HEADERS = 1 << 20;

  private final Router router;
  private final ExecutorService workers;
  private final Function<Request, Response> gate;
  private final int maxBodyBytes;
  private EventLoopGroup boss;
  private EventLoopGroup io;
  private Channel channel;
  private volatile Observer observer = (handler, code, nanos) -> {};
  private WebGuard guard = WebGuard.OPEN;
  private int maxConnections;
  private String routePrefix = "/";

  /** Told about every served request: the route's path, the status code and the time taken. */
  @FunctionalInterface
  public interface Observer {
    void served(String handler, int code, long nanos);
  }

  public void setObserver(Observer observer) {
    this.observer = observer;
  }

  /** TLS, authentication and headers of a {@code --web.config.file}; set before {@link #start}. */
  public void setGuard(WebGuard guard) {
    this.guard = guard;
  }

  /** {@code --web.max-connections}: beyond it new connections wait unserved until one closes; 0 for no limit. Set before start. */
  public void setMaxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** {@code --web.route-prefix} ("/" for none): every route is served under it. Set before start. */
  public void setRoutePrefix(String routePrefix) {
    this.routePrefix = routePrefix;
  }

  /**
   * @param gate consulted before routing; returns a response to short-circuit (e.g. not ready), or null
   */
  public HttpServer(Router router, ExecutorService workers, Function<Request, Response> gate, int maxBodyBytes) {
    this.router = router;
    this.workers = workers;
    this.gate = gate;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Binds and starts serving; returns the bound address (port 0 picks a free port). */
  public InetSocketAddress start(String host, int port) throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    boss = new MultiThreadIoEventLoopGroup(1, factory);
    io = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()), factory);
    ConnectionLimit limit = maxConnections > 0 ? new ConnectionLimit(maxConnections) : null;
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, io)
        .channel(channelClass)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (limit != null) {
              ch.pipeline().addLast(limit);
            }
            io.netty.handler.ssl.SslHandler ssl = guard.newSslHandler(ch.alloc());
            if (ssl == null) {
              http1(ch.pipeline());
              return;
            }
            ch.pipeline().addLast(ssl);
            if (guard.http2()) {
              ch.pipeline().addLast(new Http2Negotiation(HttpServer.this::http1, () -> new Dispatcher(), maxBodyBytes));
            } else {
              http1(ch.pipeline());
            }
          }
        });
    channel = b.bind(host, port).sync().channel();
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Adds the HTTP/1.1 handlers of one connection to {@code p}: codec, compression, aggregation
   * with the body limit, and dispatch. Tests run it on an {@code EmbeddedChannel}.
   */
  void http1(io.netty.channel.ChannelPipeline p) {
    p.addLast(new HttpServerCodec(MAX_LINE_AND_HEADERS, MAX_LINE_AND_HEADERS, 65536))
        .addLast(new HttpContentCompressor())
        .addLast(new HttpObjectAggregator(maxBodyBytes))
        .addLast(new Dispatcher());
  }

  private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
      boolean keepAlive = HttpUtil.isKeepAlive(msg);
      String origin = msg.headers().get(HttpHeaderNames.ORIGIN);
      if (!msg.decoderResult().isSuccess()) {
        write(ctx, ApiResponses.error("bad_data", 400, "malformed HTTP request"), false, origin);
        return;
      }
      ByteBuf body = contiguousBody(ctx, msg.content());
      Request req;
      try {
        req = toRequest(msg, body);
      } catch (RuntimeException e) {
        body.release();
        throw e;
      }
      try {
        workers.execute(() -> {
          long t0 = System.nanoTime();
          Response resp;
          try {
            resp = guard.handle(req, HttpServer.this::dispatch);
          } finally {
            body.release();
          }
          observer.served(resp.status() == 404 ? "other" : handlerName(req.path()), resp.status(), System.nanoTime() - t0);
          ctx.executor().execute(() -> write(ctx, resp, keepAlive, origin));
        });
      } catch (RejectedExecutionException e) {
        body.release();
        write(ctx, ApiResponses.error("unavailable", 503, "server is shutting down"), false, origin);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("connection error: {}", cause.toString());
      ctx.close();
    }
  }

  /** Routes a request to its handler; used directly by tests. */
  public Response dispatch(Request req) {
    if (!routePrefix.equals("/")) {
      if (req.path().equals("/")) {
        return Response.empty(302).withHeader("Location", routePrefix);
      }
      if (!req.path().equals(routePrefix) && !req.path().startsWith(routePrefix + "/")) {
        return Response.text(404, "404 page not found\n");
      }
      String rest = req.path().substring(routePrefix.length());
      req = req.withPath(rest.isEmpty() ? "/" : rest);
    }
    if (req.method().equals("OPTIONS")) {
      return Response.empty(204);
    }
    Response early = gate.apply(req);
    if (early != null) {
      return early;
    }
    Router.Match m = router.route(req.method(), req.path());
    if (m instanceof Router.NotFound) {
      return Response.text(404, "404 page not found\n");
    }
    if (m instanceof Router.MethodNotAllowed na) {
      return Response.text(405, "method not allowed\n").withHeader("Allow", String.join(", ", na.allowed()));
    }
    try {
      return ((Router.Found) m).handler().handle(req);
    } catch (ApiException e) {
      return ApiResponses.error(e.errorType(), e.status(), e.getMessage());
    } catch (Exception e) {
      LOG.warn("handler for {} failed", req.path(), e);
      return ApiResponses.error("internal", 500, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private String handlerName(String path) {
    if (!routePrefix.equals("/") && path.startsWith(routePrefix)) {
      path = path.length() == routePrefix.length() ? "/" : path.substring(routePrefix.length());
    }
    if (path.startsWith("/api/v1/label/")) {
      return "/api/v1/label/:name/values";
    }
    return path.length() > 64 ? path.substring(0, 64) : path;
  }

  /**
   * The request with {@code body} lent to it: the handler reads the buffer's memory in place; the
   * caller keeps {@code body} alive until the handler returns.
   */
  static Request toRequest(FullHttpRequest msg, ByteBuf body) {
    QueryStringDecoder url = new QueryStringDecoder(msg.uri());
    Map<String, List<String>> params = new LinkedHashMap<>();
    String ct = msg.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (ct != null && ct.toLowerCase().startsWith("application/x-www-form-urlencoded") && body.isReadable()) {
      QueryStringDecoder form = new QueryStringDecoder(body.toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false, 100_000);
      form.parameters().forEach((k, v) -> params.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    }
    url.parameters().forEach((k, v) -> params.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    Map<String, String> headers = new HashMap<>();
    msg.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(), e.getValue()));
    return Request.withLentBody(msg.method().name(), url.path(), params, headers, body.nioBuffer());
  }

  /**
   * The aggregated body as one retained buffer of contiguous memory: the aggregator's buffer
   * itself when it has a single component, otherwise one copy into a pooled direct buffer (the
   * aggregator's composite of socket reads would otherwise be merged into a fresh heap array by
   * {@code nioBuffer()}). The caller releases it.
   */
  static ByteBuf contiguousBody(ChannelHandlerContext ctx, ByteBuf content) {
    if (content.nioBufferCount() == 1) {
      return content.retain();
    }
    ByteBuf copy = ctx.alloc().directBuffer(content.readableBytes());
    copy.writeBytes(content, content.readerIndex(), content.readableBytes());
    return copy;
  }

  private static void write(ChannelHandlerContext ctx, Response r, boolean keepAlive, String origin) {
    ByteBuf content = Unpooled.wrappedBuffer(r.body());
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), content);
    if (r.contentType() != null) {
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    }
    r.headers().forEach((k, v) -> resp.headers().set(k, v));
    if (origin != null) {
      resp.headers().set("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
      resp.headers().set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      resp.headers().set("Access-Control-Expose-Headers", "Date");
      resp.headers().set("Access-Control-Allow-Origin", "*");
    }
    resp.headers().set(HttpHeaderNames.VARY, "Accept-Encoding");
    resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (keepAlive) {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(resp);
    } else {
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Stops accepting connections and shuts the event loops down. */
  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
      io.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
