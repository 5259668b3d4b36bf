package dev.kiln.scraper.scrape;

import dev.kiln.scraper.config.HttpClientConfig;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/** Fetches a scrape target's body. Implementations must be thread-safe. */
public interface HttpFetcher {
  /**
   * Performs one GET.
   *
   * @param bodyLimitBytes maximum decompressed body size, 0 for none
   * @throws IOException with a readable message on network errors, timeouts and oversized bodies
   */
  Response fetch(URI url, Map<String, String> headers, HttpClientConfig client, long timeoutMillis, long bodyLimitBytes)
      throws IOException;

  /** A fetched response; {@code body} holds {@code length} valid bytes, already decompressed. */
  record Response(int status, String contentType, byte[] body, int length) {}

  /** The body exceeded the configured limit. */
  final class BodyTooLargeException extends IOException {
    public BodyTooLargeException(long limit) {
      super("body size limit exceeded (" + limit + " bytes)");
    }
  }
}
