package dev.kiln.server.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Function;

/**
 * What a web configuration adds around every connection and request: TLS (and whether ALPN may
 * pick HTTP/2), and per request authentication, rate limiting and response headers. Thread-safe.
 */
public interface WebGuard {
  /** The TLS handler for a new connection, or null to serve plain HTTP. */
  SslHandler newSslHandler(ByteBufAllocator alloc);

  /** True when TLS connections may negotiate HTTP/2 through ALPN. */
  boolean http2();

  /** Answers the request itself (401, 429, 500) or passes it to {@code next}; adds the configured headers. */
  Response handle(Request req, Function<Request, Response> next);

  /** No TLS, no authentication. */
  WebGuard OPEN = new WebGuard() {
    @Override
    public SslHandler newSslHandler(ByteBufAllocator alloc) {
      return null;
    }

    @Override
    public boolean http2() {
      return false;
    }

    @Override
    public Response handle(Request req, Function<Request, Response> next) {
      return next.apply(req);
    }
  };
}
