package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/** {@link HttpFetcher} on the JDK's HTTP client; one client per distinct TLS/redirect setting. */
public final class JdkHttpFetcher implements HttpFetcher {
  private final Map<HttpClientConfig, HttpClient> clients = new ConcurrentHashMap<>();

  /** Clients kept, one per distinct setting; for tests. */
  int clientCount() {
    return clients.size();
  }

  @Override
  public void retainClients(Collection<HttpClientConfig> live) {
    clients.keySet().retainAll(Set.copyOf(live));
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit)
      throws IOException {
    return fetch(url, headers, cfg, timeoutMillis, bodyLimit, null);
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit,
      byte[] reuse) throws IOException {
    HttpClient client = clients.computeIfAbsent(cfg, JdkHttpFetcher::newClient);
    HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET().timeout(Duration.ofMillis(Math.max(1, timeoutMillis)));
    headers.forEach(rb::header);
    cfg.headers().forEach((k, v) -> {
      try {
        rb.header(k, v);
      } catch (IllegalArgumentException restricted) {
        // A header the JDK client sets itself (Host, Connection, ...): not overridable.
      }
    });
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new IOException("Get \"" + url + "\": context deadline exceeded", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("scrape interrupted", e);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e instanceof java.net.ConnectException) {
        msg = "connection refused";
      }
      throw new IOException("Get \"" + url + "\": " + msg, e);
    }
    String contentType = resp.headers().firstValue("Content-Type").orElse(null);
    boolean gzip = resp.headers().firstValue("Content-Encoding").map(v -> v.equalsIgnoreCase("gzip")).orElse(false);
    long declared = gzip ? -1 : resp.headers().firstValueAsLong("Content-Length").orElse(-1);
    try (InputStream raw = resp.body(); InputStream in = gzip ? new GZIPInputStream(raw, 8192) : raw) {
      return readBody(resp.statusCode(), contentType, in, reuse, declared, bodyLimit);
    }
  }

  /**
   * Reads the whole (decompressed) body into {@code reuse} when it fits, else into a buffer sized
   * from Content-Length or grown by doubling; no intermediate copies.
   */
  static Response readBody(int status, String contentType, InputStream in, byte[] reuse, long declared, long bodyLimit)
      throws IOException {
    if (bodyLimit > 0 && declared > bodyLimit) {
      throw new BodyTooLargeException(bodyLimit);
    }
    byte[] buf = reuse;
    int want = declared >= 0 && declared < Integer.MAX_VALUE - 16 ? (int) declared + 1 : 16384;
    if (buf == null || buf.length < want && declared >= 0) {
      buf = new byte[Math.max(want, 1024)];
    }
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (buf.length >= Integer.MAX_VALUE - 16) {
          throw new IOException("body too large");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16L, buf.length * 2L));
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        break;
      }
      len += r;
      if (bodyLimit > 0 && len > bodyLimit) {
        throw new BodyTooLargeException(bodyLimit);
      }
    }
    return new Response(status, contentType, buf, len);
  }

  private static HttpClient newClient(HttpClientConfig cfg) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    try {
      cfg.configure(b, false);
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
    return b.build();
  }
}
