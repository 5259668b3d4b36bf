package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpClientConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link HttpFetcher} for plain-HTTP targets: one HTTP/1.1 GET ({@link HttpConnection}) on a
 * blocking socket in the calling (scraping) thread, with the body read straight into the caller's
 * reused buffer. Keep-alive connections are reused per host and port ({@link HttpConnectionPool},
 * at most four idle each) and closed after five idle minutes; a reused connection the target had
 * closed is retried once on a new one. No extra threads,
 * futures or intermediate copies. Everything else goes to a fallback fetcher (the JDK client):
 * https, a redirect to follow, and hosts the JVM's proxy selector routes through a proxy.
 *
 * <p>Same request (headers, Authorization), same limits and the same error messages as
 * {@link JdkHttpFetcher}. Thread-safe.
 */
public final class SocketHttpFetcher implements HttpFetcher {
  private static final long IDLE_NANOS = 5 * 60 * 1_000_000_000L;
  private static final int MAX_IDLE_PER_HOST = 4;

  private final HttpFetcher fallback;
  private final HttpConnectionPool pool = new HttpConnectionPool(IDLE_NANOS, MAX_IDLE_PER_HOST, System::nanoTime);
  private final Map<URI, Boolean> direct = new ConcurrentHashMap<>();

  /** With a {@link JdkHttpFetcher} as the fallback. */
  public SocketHttpFetcher() {
    this(new JdkHttpFetcher());
  }

  public SocketHttpFetcher(HttpFetcher fallback) {
    this.fallback = fallback;
  }

  @Override
  public void retainClients(Collection<HttpClientConfig> live) {
    fallback.retainClients(live);
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit)
      throws IOException {
    return fetch(url, headers, cfg, timeoutMillis, bodyLimit, null);
  }

  @Override
  public Response fetch(URI url, Map<String, String> headers, HttpClientConfig cfg, long timeoutMillis, long bodyLimit,
      byte[] reuse) throws IOException {
    String host = url.getHost();
    boolean proxied = cfg.proxy() != null && cfg.proxy().isSet();
    if (!"http".equalsIgnoreCase(url.getScheme()) || host == null || proxied || !isDirect(url)) {
      return fallback.fetch(url, headers, cfg, timeoutMillis, bodyLimit, reuse);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = url.getPort() < 0 ? 80 : url.getPort();
    long deadline = System.nanoTime() + Math.max(1, timeoutMillis) * 1_000_000L;
    Map<String, String> all = headers;
    if (!cfg.headers().isEmpty()) {
      all = new java.util.LinkedHashMap<>(headers);
      all.putAll(cfg.headers());
    }
    byte[] request = HttpConnection.request(url, all);
    String key = host + ":" + port;
    HttpConnection c = pool.poll(key);
    while (true) {
      boolean reused = c != null;
      try {
        if (c == null) {
          c = HttpConnection.open(host, port, deadline);
        }
        HttpConnection.Exchange x = c.exchange(request, deadline, reuse, bodyLimit);
        if (x.status >= 300 && x.status < 400 && x.status != 304 && x.location && cfg.followRedirects()) {
          c.close();
          return fallback.fetch(url, headers, cfg, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L), bodyLimit,
              reuse);
        }
        if (x.keepAlive) {
          pool.offer(key, c);
        } else {
          c.close();
        }
        return x.response;
      } catch (HttpConnection.StaleConnection e) {
        c.close();
        c = null;
        if (!reused) {
          throw new IOException("Get \"" + url + "\": EOF", e);
        }
        // A kept-alive connection the target had closed: retry once on a new one.
      } catch (BodyTooLargeException e) {
        c.close();
        throw e;
      } catch (SocketTimeoutException | HttpConnection.Deadline e) {
        if (c != null) {
          c.close();
        }
        throw new IOException("Get \"" + url + "\": context deadline exceeded", e);
      } catch (ConnectException e) {
        throw new IOException("Get \"" + url + "\": connection refused", e);
      } catch (IOException e) {
        if (c != null) {
          c.close();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new IOException("Get \"" + url + "\": " + msg, e);
      }
    }
  }

  /** Whether the JVM's proxy selector sends this host and port direct (as the JDK client would ask it). */
  private boolean isDirect(URI url) {
    Boolean d = direct.get(url);
    if (d == null) {
      if (direct.size() > 10_000) {
        direct.clear(); // targets come and go; keep the memo bounded
      }
      ProxySelector sel = ProxySelector.getDefault();
      List<Proxy> proxies = sel == null ? List.of() : sel.select(url);
      d = proxies.isEmpty() || proxies.get(0).type() == Proxy.Type.DIRECT;
      direct.put(url, d);
    }
    return d;
  }
}
