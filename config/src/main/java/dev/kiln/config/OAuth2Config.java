package dev.kiln.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * OAuth 2.0 client-credentials settings ({@code oauth2:} in any HTTP client section): the token is
 * fetched from {@code token_url} and sent as {@code Authorization: Bearer ...}
 * (see {@link OAuth2TokenSource}). {@code tokenClient} holds the block's own {@code tls_config}
 * and proxy settings, which the token request uses.
 */
public record OAuth2Config(
    String clientId, String clientSecret, Path clientSecretFile, List<String> scopes, String tokenUrl,
    Map<String, String> endpointParams, HttpClientConfig tokenClient) {
  public OAuth2Config {
    scopes = List.copyOf(scopes);
    endpointParams = Map.copyOf(endpointParams);
    if (tokenClient == null) {
      tokenClient = HttpClientConfig.DEFAULT;
    }
  }

  /** Settings whose token request uses the default TLS and no proxy. */
  public OAuth2Config(String clientId, String clientSecret, Path clientSecretFile, List<String> scopes,
      String tokenUrl, Map<String, String> endpointParams) {
    this(clientId, clientSecret, clientSecretFile, scopes, tokenUrl, endpointParams, HttpClientConfig.DEFAULT);
  }

  static OAuth2Config parse(YamlNode n, Path baseDir) {
    String id = n.string("client_id", "");
    String idFile = n.string("client_id_file", null);
    if (idFile != null) {
      if (!id.isEmpty()) {
        throw n.error("at most one of oauth2 client_id & client_id_file must be configured");
      }
      try {
        id = java.nio.file.Files.readString(baseDir.resolve(idFile)).trim();
      } catch (java.io.IOException e) {
        throw n.error("cannot read client_id_file " + idFile + ": " + e.getMessage());
      }
    }
    String secret = n.string("client_secret", null);
    String secretFile = n.string("client_secret_file", null);
    if (secret != null && secretFile != null) {
      throw n.error("at most one of oauth2 client_secret & client_secret_file must be configured");
    }
    List<String> scopes = n.strings("scopes");
    String tokenUrl = n.string("token_url", null);
    if (tokenUrl == null || tokenUrl.isEmpty()) {
      throw n.error("oauth2 token_url is required");
    }
    Map<String, String> params = n.stringMap("endpoint_params");
    HttpClientConfig tokenClient = HttpClientConfig.tlsAndProxy(
        HttpClientConfig.TlsSettings.parse(n.get("tls_config"), baseDir), ProxyConfig.parse(n));
    // JWT-bearer grant settings: accepted, not used (the client-credentials grant is sent).
    for (String k : new String[] {"client_certificate_key", "client_certificate_key_file", "client_certificate_key_id",
        "grant_type", "signature_algorithm", "iss", "audience", "claims"}) {
      n.get(k);
    }
    n.rejectUnknownKeys("oauth2");
    return new OAuth2Config(id, secret, secretFile == null ? null : baseDir.resolve(secretFile), scopes, tokenUrl,
        params, tokenClient);
  }
}
