package dev.kiln.server;

import java.nio.file.Path;

/**
 * The HTTP front's settings from the command line, with Prometheus's flag names. Immutable.
 *
 * @param webConfigFile {@code --web.config.file} (TLS, basic auth, headers), or null
 * @param routePrefix {@code --web.route-prefix} normalised to start with "/" and end without one
 *     ("/" for none)
 * @param pageTitle {@code --web.page-title}
 * @param maxConnections {@code --web.max-connections}, 0 for no limit
 */
public record WebOptions(Path webConfigFile, String routePrefix, String pageTitle, int maxConnections) {
  /** Plain HTTP at the root, Prometheus's default connection limit. */
  public static final WebOptions DEFAULTS = new WebOptions(null, "/", "Kiln", 512);

  /** Prometheus's rule: the prefix (or, when empty, the external URL's path) as "/" + trimmed. */
  public static String normalizeRoutePrefix(String routePrefix, String externalUrlPath) {
    String p = routePrefix == null || routePrefix.isEmpty() ? externalUrlPath : routePrefix;
    p = p == null ? "" : p;
    return "/" + p.replaceAll("^/+|/+$", "");
  }
}
