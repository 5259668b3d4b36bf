package dev.kiln.server.web;

import dev.kiln.config.ConfigException;
import dev.kiln.config.YamlNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code --web.config.file} in Prometheus's exporter-toolkit format: {@code tls_server_config},
 * {@code http_server_config} ({@code http2}, {@code headers}), {@code basic_auth_users} (bcrypt
 * hashes) and {@code rate_limit}. Parsed strictly, as exporter-toolkit's {@code UnmarshalStrict};
 * relative paths are resolved against the file's directory. Immutable.
 *
 * @param tls the TLS settings; {@link TlsServerConfig#enabled()} is false for plain HTTP
 * @param headers response headers from {@code http_server_config.headers}, validated
 * @param users user name to bcrypt hash; empty when basic auth is off
 * @param rateLimitIntervalMillis {@code rate_limit.interval}, 0 for no limit
 */
public record WebConfig(
    TlsServerConfig tls,
    boolean http2,
    Map<String, String> headers,
    Map<String, String> users,
    long rateLimitIntervalMillis,
    int rateLimitBurst) {

  /** No TLS, no authentication, no extra headers (no {@code --web.config.file}). */
  public static final WebConfig NONE = new WebConfig(TlsServerConfig.NONE, true, Map.of(), Map.of(), 0, 0);

  /**
   * The headers that may be set and, for some, the only values allowed (exporter-toolkit's
   * {@code extraHTTPHeaders}); an empty list allows any value.
   */
  static final Map<String, List<String>> ALLOWED_HEADERS = Map.of(
      "Strict-Transport-Security", List.of(),
      "X-Content-Type-Options", List.of("nosniff"),
      "X-Frame-Options", List.of("deny", "sameorigin"),
      "X-XSS-Protection", List.of(),
      "Content-Security-Policy", List.of());

  /** Reads and validates a web config file, including its bcrypt hashes and TLS material. */
  public static WebConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WebConfigException("open " + file + ": " + e.getMessage(), e);
    }
    WebConfig c = parse(file.toString(), text, file.toAbsolutePath().getParent());
    if (c.tls.enabled()) {
      c.tls.validate();
      c.tls.load();
    }
    return c;
  }

  /** Parses web config text without reading the files it names. */
  public static WebConfig parse(String source, String text, Path baseDir) {
    try {
      YamlNode root = YamlNode.parse(source, text);
      TlsServerConfig tls = TlsServerConfig.parse(root.get("tls_server_config"), baseDir);
      YamlNode http = root.get("http_server_config");
      boolean http2 = http.bool("http2", true);
      Map<String, String> headers = new LinkedHashMap<>(http.stringMap("headers"));
      http.rejectUnknownKeys("http_server_config");
      validateHeaders(headers);
      Map<String, String> users = new LinkedHashMap<>(root.stringMap("basic_auth_users"));
      users.forEach((user, hash) -> Bcrypt.validate(hash));
      YamlNode rl = root.get("rate_limit");
      long interval = rl.duration("interval", 0);
      int burst = (int) rl.integer("burst", 0);
      rl.rejectUnknownKeys("rate_limit");
      root.rejectUnknownKeys("web config");
      return new WebConfig(tls, http2, Map.copyOf(headers), Map.copyOf(users), interval, burst);
    } catch (ConfigException e) {
      throw new WebConfigException(e.getMessage(), e);
    }
  }

  private static void validateHeaders(Map<String, String> headers) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      List<String> allowed = ALLOWED_HEADERS.get(e.getKey());
      if (allowed == null) {
        throw new WebConfigException("HTTP header \"" + e.getKey() + "\" can not be configured");
      }
      if (!allowed.isEmpty() && !allowed.contains(e.getValue())) {
        throw new WebConfigException("invalid value for " + e.getKey() + ". Expected one of: "
            + allowed.stream().map(v -> "\"" + v + "\"").toList() + ", but got: \"" + e.getValue() + "\"");
      }
    }
  }
}
