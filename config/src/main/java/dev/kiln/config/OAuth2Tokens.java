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
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches and caches OAuth 2.0 client-credentials tokens: a form POST to the token URL with
 * {@code grant_type=client_credentials}, the scopes and endpoint parameters, the client
 * authenticating with HTTP Basic. A token is reused until 10 seconds before it expires (tokens
 * without {@code expires_in} are kept for 5 minutes). Thread-safe.
 */
public final class OAuth2Tokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final Map<OAuth2Config, Token> CACHE = new ConcurrentHashMap<>();

  private record Token(String header, long expiresAtMillis) {}

  private OAuth2Tokens() {}

  /** The {@code Authorization} header value for {@code cfg}, fetching a token when needed. */
  public static String authorization(OAuth2Config cfg) throws IOException {
    Token t = CACHE.get(cfg);
    if (t != null && System.currentTimeMillis() < t.expiresAtMillis()) {
      return t.header();
    }
    synchronized (cfg) {
      t = CACHE.get(cfg);
      if (t != null && System.currentTimeMillis() < t.expiresAtMillis()) {
        return t.header();
      }
      t = fetch(cfg);
      CACHE.put(cfg, t);
      return t.header();
    }
  }

  private static Token fetch(OAuth2Config cfg) throws IOException {
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
      resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching an OAuth2 token", e);
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
    long ttl = expiresIn > 0 ? Math.max(1, expiresIn - 10) * 1000 : 300_000;
    return new Token(type + " " + token, System.currentTimeMillis() + ttl);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
