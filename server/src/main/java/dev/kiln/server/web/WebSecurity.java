package dev.kiln.server.web;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.WebGuard;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Serves a {@code --web.config.file} as Prometheus does: whether TLS is on is decided at start-up;
 * the file and the certificate, key and CA files it names are re-read when they change (checked
 * on every connection and request), so rotated certificates and changed users take effect without
 * a restart. A file that becomes invalid makes requests fail with 500 and handshakes fail, as
 * exporter-toolkit does, until it is fixed. Thread-safe.
 */
public final class WebSecurity implements WebGuard {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebSecurity.class);

  private final Path file;
  private final boolean tls;
  private final BasicAuthenticator auth = new BasicAuthenticator();
  private volatile State state;

  private record State(List<Stamp> stamps, WebConfig config, TlsMaterial material, RateLimiter limiter, String error) {}

  private record Stamp(Path path, long modified, long size) {}

  /**
   * Loads and validates the file.
   *
   * @throws WebConfigException when the file, a hash or the TLS material is invalid
   */
  public WebSecurity(Path file) {
    this.file = file;
    this.state = load(stamps(WebConfig.NONE));
    if (state.error != null) {
      throw new WebConfigException(state.error);
    }
    this.tls = state.config.tls().enabled();
    LOG.info("TLS is {}. http2={}", tls ? "enabled" : "disabled", tls && state.config.http2());
  }

  /** The configuration now in force (reloaded first if a file changed). */
  public WebConfig config() {
    State s = current();
    return s.config;
  }

  private State load(List<Stamp> before) {
    try {
      WebConfig c = WebConfig.load(file);
      TlsMaterial m = c.tls().enabled() ? c.tls().load() : null;
      RateLimiter rl = c.rateLimitIntervalMillis() > 0
          ? new RateLimiter(c.rateLimitIntervalMillis(), c.rateLimitBurst(), System.nanoTime()) : null;
      if (!c.tls().curvePreferences().isEmpty() && !NamedGroups.SUPPORTED) {
        LOG.warn("curve_preferences needs Java 20 or later; the JDK's default key exchange groups are used");
      }
      return new State(stamps(c), c, m, rl, null);
    } catch (WebConfigException e) {
      return new State(before, state == null ? WebConfig.NONE : state.config, null, null, e.getMessage());
    }
  }

  private List<Stamp> stamps(WebConfig c) {
    List<Stamp> out = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    paths.add(file);
    TlsServerConfig t = c.tls();
    for (Path p : new Path[] {t.certFile(), t.keyFile(), t.clientCaFile()}) {
      if (p != null) {
        paths.add(p);
      }
    }
    for (Path p : paths) {
      try {
        out.add(new Stamp(p, Files.getLastModifiedTime(p).toMillis(), Files.size(p)));
      } catch (IOException e) {
        out.add(new Stamp(p, -1, -1));
      }
    }
    return out;
  }

  private State current() {
    State s = state;
    if (!s.stamps.equals(stamps(s.config))) {
      synchronized (this) {
        s = state;
        List<Stamp> now = stamps(s.config);
        if (!s.stamps.equals(now)) {
          State next = load(now);
          if (next.error != null) {
            LOG.error("Unable to parse web configuration {}: {}", file, next.error);
          } else {
            LOG.info("Reloaded web configuration {}", file);
          }
          state = next;
          s = next;
        }
      }
    }
    return s;
  }

  @Override
  public SslHandler newSslHandler(ByteBufAllocator alloc) {
    if (!tls) {
      return null;
    }
    State s = current();
    if (s.material == null) {
      throw new WebConfigException("web configuration is invalid: " + s.error);
    }
    SslHandler h = s.material.context(s.config.http2()).newHandler(alloc);
    SSLEngine engine = h.engine();
    SSLParameters p = engine.getSSLParameters();
    p.setUseCipherSuitesOrder(s.config.tls().preferServerCipherSuites());
    NamedGroups.apply(p, s.config.tls().curvePreferences());
    engine.setSSLParameters(p);
    return h;
  }

  @Override
  public boolean http2() {
    return tls && current().config.http2();
  }

  @Override
  public Response handle(Request req, Function<Request, Response> next) {
    State s = current();
    if (s.error != null) {
      return Response.text(500, "Internal Server Error\n").withHeader("X-Content-Type-Options", "nosniff");
    }
    WebConfig c = s.config;
    if (s.limiter != null && !s.limiter.allow(System.nanoTime())) {
      return withHeaders(Response.text(429, "Too Many Requests\n").withHeader("X-Content-Type-Options", "nosniff"), c);
    }
    if (!c.users().isEmpty() && !auth.authenticate(req.header("authorization"), c.users())) {
      return withHeaders(Response.text(401, "Unauthorized\n")
          .withHeader("WWW-Authenticate", "Basic")
          .withHeader("X-Content-Type-Options", "nosniff"), c);
    }
    return withHeaders(next.apply(req), c);
  }

  private static Response withHeaders(Response r, WebConfig c) {
    c.headers().forEach(r::withHeader);
    return r;
  }

  /** Number of bcrypt comparisons made (cache misses). */
  long bcryptComparisons() {
    return auth.comparisons();
  }
}
