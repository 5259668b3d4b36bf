package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpClientConfig;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.Map;

/** Fetches a scrape target's body. Implementations must be thread-safe. */
public interface HttpFetcher {
  /**
   * Performs one GET with {@code headers} (the caller's {@code Authorization} among them) and the
   * TLS, proxy, redirect and {@code http_headers} settings of {@code client}.
   *
   * @param bodyLimitBytes maximum decompressed body size, 0 for none
   * @throws IOException with a readable message on network errors, timeouts and oversized bodies
   */
  Response fetch(URI url, Map<String, String> headers, HttpClientConfig client, long timeoutMillis, long bodyLimitBytes)
      throws IOException;

  /**
   * Same as {@link #fetch(URI, Map, HttpClientConfig, long, long)}, but may read the body into
   * {@code reuse} (a buffer the caller no longer needs, typically the previous response's body) and
   * return it as the response body, so that steady scrapes allocate no new body buffer. The
   * default ignores {@code reuse}.
   *
   * @param reuse a buffer the fetcher may overwrite, or null
   */
  default Response fetch(URI url, Map<String, String> headers, HttpClientConfig client, long timeoutMillis,
      long bodyLimitBytes, byte[] reuse) throws IOException {
    return fetch(url, headers, client, timeoutMillis, bodyLimitBytes);
  }

  /**
   * Lets go of whatever the fetcher keeps for client settings not in {@code live} (the settings of
   * the jobs a reload kept), so clients of removed or changed jobs do not pile up. The default keeps
   * nothing and does nothing.
   */
  default void retainClients(Collection<HttpClientConfig> live) {}

  /** A fetched response; {@code body} holds {@code length} valid bytes, already decompressed. */
  record Response(int status, String contentType, byte[] body, int length) {}

  /** The body exceeded the configured limit. */
  final class BodyTooLargeException extends IOException {
    public BodyTooLargeException(long limit) {
      super("body size limit exceeded (" + limit + " bytes)");
    }
  }
}
