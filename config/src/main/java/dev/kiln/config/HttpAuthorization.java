package dev.kiln.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;

/**
 * The {@code Authorization} header of one HTTP client built from an {@link HttpClientConfig}:
 * {@code Basic ...}, {@code <type> <credentials>} or an OAuth2 bearer token. Secret files
 * ({@code password_file}, {@code credentials_file}) are read again on every call; an OAuth2 token
 * is held by this object's own {@link OAuth2TokenSource}, so each client (scrape pool, remote-write
 * queue, Alertmanager, Kubernetes connection) keeps its token for as long as it lives and no state
 * is shared between clients. Thread-safe.
 */
public final class HttpAuthorization {
  private final HttpClientConfig cfg;
  private final OAuth2TokenSource tokens;

  /** Authorization for a client of {@code cfg}; OAuth2 expiry follows the wall clock. */
  public HttpAuthorization(HttpClientConfig cfg) {
    this(cfg, cfg.oauth2() == null ? null : new OAuth2TokenSource(cfg.oauth2()));
  }

  /** Authorization for a client of {@code cfg} whose OAuth2 token, if any, comes from {@code tokens}. */
  public HttpAuthorization(HttpClientConfig cfg, OAuth2TokenSource tokens) {
    if (cfg.oauth2() != null && tokens == null) {
      throw new IllegalArgumentException("oauth2 is configured but no token source was given");
    }
    this.cfg = cfg;
    this.tokens = cfg.oauth2() == null ? null : tokens;
  }

  /**
   * The header value, reading secret files and fetching an OAuth2 token now when needed; null when
   * the settings ask for none.
   *
   * @throws IOException when a secret file cannot be read or no OAuth2 token can be had
   */
  public String header() throws IOException {
    if (tokens != null) {
      return tokens.authorization();
    }
    if (cfg.basicAuthUsername() != null || cfg.basicAuthPassword() != null || cfg.basicAuthPasswordFile() != null) {
      String pass = cfg.basicAuthPasswordFile() != null ? Files.readString(cfg.basicAuthPasswordFile()).trim()
          : cfg.basicAuthPassword();
      String user = cfg.basicAuthUsername() == null ? "" : cfg.basicAuthUsername();
      return "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + (pass == null ? "" : pass)).getBytes(StandardCharsets.UTF_8));
    }
    if (cfg.authorizationType() != null) {
      String creds = cfg.authorizationCredentialsFile() != null
          ? Files.readString(cfg.authorizationCredentialsFile()).trim() : cfg.authorizationCredentials();
      return cfg.authorizationType() + " " + (creds == null ? "" : creds);
    }
    return null;
  }
}
