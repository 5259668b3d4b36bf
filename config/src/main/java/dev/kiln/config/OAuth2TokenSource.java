package dev.kiln.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The OAuth 2.0 client-credentials token of one HTTP client: a form POST to the token URL with
 * {@code grant_type=client_credentials}, the scopes and endpoint parameters, the client
 * authenticating with HTTP Basic. The request goes through its own HTTP client, built from the
 * {@code oauth2} block's {@code tls_config} and proxy settings ({@link OAuth2Config#tokenClient()}),
 * as Prometheus's token source does. A token is reused until 10 seconds before it expires (tokens
 * without {@code expires_in} are kept for 5 minutes) and then fetched anew.
 *
 * <p>One instance per client, created by whoever builds the client and dropped with it; nothing is
 * shared between instances. Thread-safe: concurrent callers wait for a single fetch.
 */
public final class OAuth2TokenSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long before {@code expires_in} runs out a token is replaced. */
  private static final long EXPIRY_MARGIN_SECONDS = 10;
  private static final long DEFAULT_LIFETIME_MILLIS = 300_000;

  private final OAuth2Config cfg;
  private final LongSupplier clockMillis;
  private HttpClient http;
  private String header;
  private long expiresAtMillis;

  /** A source reading the wall clock. */
  public OAuth2TokenSource(OAuth2Config cfg) {
    this(cfg, System::currentTimeMillis);
  }

  /** A source deciding expiry by {@code clockMillis} (milliseconds since the epoch). */
  public OAuth2TokenSource(OAuth2Config cfg, LongSupplier clockMillis) {
    this.cfg = cfg;
    this.clockMillis = clockMillis;
  }

  /**
   * The {@code Authorization} header value ({@code Bearer <token>}), fetching a token when there is
   * none yet or the current one is about to expire.
   *
   * @throws IOException when the token endpoint cannot be reached or gives no token
   */
  public synchronized String authorization() throws IOException {
    if (header == null || clockMillis.getAsLong() >= expiresAtMillis) {
      fetch();
    }
    return header;
  }

  private void fetch() throws IOException {
    String secret = cfg.clientSecretFile() != null ? Files.readString(cfg.clientSecretFile()).trim()
        : cfg.clientSecret() == null ? "" : cfg.clientSecret();
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    if (!cfg.scopes().isEmpty()) {
      form.append("&scope=").append(enc(String.join(" ", cfg.scopes())));
    }
    for (Map.Entry<String, String> e : cfg.endpointParams().entrySet()) {
      form.append('&').append(enc(e.getKey())).append('=').append(enc(e.getValue()));
    }
    String basic = Base64.getEncoder().encodeToString(
        (enc(cfg.clientId()) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
    HttpRequest req = HttpRequest.newBuilder(URI.create(cfg.tokenUrl())).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Basic " + basic)
        .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
    HttpResponse<String> resp;
    try {
      resp = client().send(req, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("oauth2: interrupted while fetching a token from " + cfg.tokenUrl(), e);
    } catch (IOException e) {
      throw new IOException("oauth2: cannot fetch a token from " + cfg.tokenUrl() + ": " + e.getMessage(), e);
    }
    if (resp.statusCode() / 100 != 2) {
      throw new IOException("oauth2: token endpoint " + cfg.tokenUrl() + " answered " + resp.statusCode());
    }
    JsonNode body = JSON.readTree(resp.body());
    String token = body.path("access_token").asText("");
    if (token.isEmpty()) {
      throw new IOException("oauth2: token endpoint " + cfg.tokenUrl() + " gave no access_token");
    }
    String type = body.path("token_type").asText("Bearer");
    if (type.isEmpty() || type.equalsIgnoreCase("bearer")) {
      type = "Bearer";
    }
    long expiresIn = body.path("expires_in").asLong(0);
    long ttl = expiresIn > 0 ? Math.max(1, expiresIn - EXPIRY_MARGIN_SECONDS) * 1000 : DEFAULT_LIFETIME_MILLIS;
    header = type + " " + token;
    expiresAtMillis = clockMillis.getAsLong() + ttl;
  }

  /** The token request's client, built on first use from the oauth2 block's TLS and proxy settings. */
  private HttpClient client() throws IOException {
    if (http == null) {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
      try {
        cfg.tokenClient().configure(b, false);
      } catch (GeneralSecurityException e) {
        throw new IOException("oauth2: cannot set up TLS for " + cfg.tokenUrl() + ": " + e.getMessage(), e);
      }
      http = b.build();
    }
    return http;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
