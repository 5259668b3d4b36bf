package dev.kiln.scraper.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * HTTP client settings shared by scrape configs, Alertmanagers and remote endpoints. Secrets are
 * kept as given; file-based secrets are resolved against the config directory and re-read on use.
 */
public record HttpClientConfig(
    String basicAuthUsername,
    String basicAuthPassword,
    Path basicAuthPasswordFile,
    String authorizationType,
    String authorizationCredentials,
    Path authorizationCredentialsFile,
    boolean tlsInsecureSkipVerify,
    Path tlsCaFile,
    String tlsServerName,
    boolean followRedirects,
    Map<String, String> headers) {

  /** No authentication, default TLS, redirects followed. */
  public static final HttpClientConfig DEFAULT =
      new HttpClientConfig(null, null, null, null, null, null, false, null, null, true, Map.of());

  private static final String[] KEYS = {
    "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config", "follow_redirects",
    "enable_http2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers", "oauth2"
  };

  /** The keys this record reads from a mapping (so callers can accept them inline). */
  public static String[] keys() {
    return KEYS.clone();
  }

  /** Reads the HTTP client keys found inline in a mapping. */
  public static HttpClientConfig parse(YamlNode n, Path baseDir) {
    String user = null;
    String pass = null;
    Path passFile = null;
    YamlNode ba = n.get("basic_auth");
    if (!ba.absent()) {
      user = ba.string("username", null);
      String userFile = ba.string("username_file", null);
      pass = ba.string("password", null);
      String pf = ba.string("password_file", null);
      ba.rejectUnknownKeys("basic_auth");
      if (user != null && userFile != null) {
        throw ba.error("at most one of basic_auth username & username_file must be configured");
      }
      if (userFile != null) {
        try {
          user = java.nio.file.Files.readString(baseDir.resolve(userFile)).trim();
        } catch (java.io.IOException e) {
          throw ba.error("cannot read username_file " + userFile + ": " + e.getMessage());
        }
      }
      if (pass != null && pf != null) {
        throw ba.error("at most one of basic_auth password & password_file must be configured");
      }
      passFile = pf == null ? null : baseDir.resolve(pf);
    }
    String authType = null;
    String creds = null;
    Path credsFile = null;
    YamlNode az = n.get("authorization");
    if (!az.absent()) {
      authType = az.string("type", "Bearer");
      creds = az.string("credentials", null);
      String cf = az.string("credentials_file", null);
      az.rejectUnknownKeys("authorization");
      if (creds != null && cf != null) {
        throw az.error("at most one of authorization credentials & credentials_file must be configured");
      }
      if ("basic".equalsIgnoreCase(authType)) {
        throw az.error("authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
      }
      credsFile = cf == null ? null : baseDir.resolve(cf);
    }
    String bearer = n.string("bearer_token", null);
    String bearerFile = n.string("bearer_token_file", null);
    if (bearer != null || bearerFile != null) {
      if (authType != null) {
        throw n.error("at most one of bearer_token, bearer_token_file & authorization must be configured");
      }
      authType = "Bearer";
      creds = bearer;
      credsFile = bearerFile == null ? null : baseDir.resolve(bearerFile);
    }
    YamlNode oauth = n.get("oauth2");
    if (!oauth.absent()) {
      throw oauth.error("oauth2 is not supported by Kiln yet");
    }
    if (!ba.absent() && authType != null) {
      throw n.error("at most one of basic_auth, oauth2 & authorization must be configured");
    }
    boolean insecure = false;
    Path ca = null;
    String serverName = null;
    YamlNode tls = n.get("tls_config");
    if (!tls.absent()) {
      insecure = tls.bool("insecure_skip_verify", false);
      String caFile = tls.string("ca_file", null);
      ca = caFile == null ? null : baseDir.resolve(caFile);
      serverName = tls.string("server_name", null);
      for (String k : new String[] {"ca", "cert", "cert_file", "key", "key_file", "min_version", "max_version"}) {
        tls.get(k);
      }
      tls.rejectUnknownKeys("tls_config");
    }
    boolean follow = n.bool("follow_redirects", true);
    n.bool("enable_http2", true);
    n.string("proxy_url", null);
    n.string("no_proxy", null);
    n.bool("proxy_from_environment", false);
    n.get("proxy_connect_header");
    n.get("http_headers");
    return new HttpClientConfig(user, pass, passFile, authType, creds, credsFile, insecure, ca, serverName, follow, Map.of());
  }

  /**
   * The {@code Authorization} header these settings ask for ({@code Basic ...} or
   * {@code <type> <credentials>}), reading secret files now; null when there is none.
   */
  public String authorizationHeader() throws java.io.IOException {
    if (basicAuthUsername != null || basicAuthPassword != null || basicAuthPasswordFile != null) {
      String pass = basicAuthPasswordFile != null ? java.nio.file.Files.readString(basicAuthPasswordFile).trim()
          : basicAuthPassword;
      String user = basicAuthUsername == null ? "" : basicAuthUsername;
      return "Basic " + java.util.Base64.getEncoder().encodeToString(
          (user + ":" + (pass == null ? "" : pass)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    if (authorizationType != null) {
      String creds = authorizationCredentialsFile != null
          ? java.nio.file.Files.readString(authorizationCredentialsFile).trim() : authorizationCredentials;
      return authorizationType + " " + (creds == null ? "" : creds);
    }
    return null;
  }

  /** The TLS context these settings ask for (a CA file, or no verification); null for the JDK default. */
  public javax.net.ssl.SSLContext sslContext() throws java.security.GeneralSecurityException, java.io.IOException {
    javax.net.ssl.TrustManager[] trust;
    if (tlsInsecureSkipVerify) {
      trust = new javax.net.ssl.TrustManager[] {new TrustingManager()};
    } else if (tlsCaFile != null) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      ks.load(null, null);
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(tlsCaFile)) {
        int i = 0;
        for (var cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca" + i++, cert);
        }
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trust = tmf.getTrustManagers();
    } else {
      return null;
    }
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, trust, new java.security.SecureRandom());
    return ctx;
  }

  /** Accepts every certificate ({@code insecure_skip_verify: true}). */
  private static final class TrustingManager implements javax.net.ssl.X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
