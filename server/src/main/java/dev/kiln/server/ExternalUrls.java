package dev.kiln.server;

import java.net.URI;
import java.net.URISyntaxException;

/** {@code --web.external-url} checks and its path, as Prometheus's {@code computeExternalURL}. */
final class ExternalUrls {
  private ExternalUrls() {}

  /** The URL's path without a trailing slash ("" for none); fails for quoted or unparsable URLs. */
  static String path(String url) {
    if (url.startsWith("\"") || url.startsWith("'") || url.endsWith("\"") || url.endsWith("'")) {
      throw new IllegalArgumentException("URL must not begin or end with quotes");
    }
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    String p = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
    if (!p.isEmpty() && !p.startsWith("/")) {
      p = "/" + p;
    }
    return p;
  }
}
