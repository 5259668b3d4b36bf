package dev.kiln.config;

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
    Map<String, String> headers,
    OAuth2Config oauth2,
    Tls tls,
    ProxyConfig proxy,
    boolean enableHttp2) {

  /**
   * TLS material given inline or as files beyond the CA file: {@code ca}, {@code cert}/{@code cert_file}
   * and {@code key}/{@code key_file} (a client certificate). Files are re-read on use.
   */
  public record Tls(String caPem, String certPem, Path certFile, String keyPem, Path keyFile, String minVersion,
      String maxVersion) {
    static final Tls NONE = new Tls(null, null, null, null, null);

    /** Material without a TLS version range (the JDK's defaults). */
    public Tls(String caPem, String certPem, Path certFile, String keyPem, Path keyFile) {
      this(caPem, certPem, certFile, keyPem, keyFile, null, null);
    }

    boolean hasClientCertificate() {
      return certPem != null || certFile != null;
    }
  }

  /** Settings with {@code enable_http2: true}, Prometheus's default. */
  public HttpClientConfig(String basicAuthUsername, String basicAuthPassword, Path basicAuthPasswordFile,
      String authorizationType, String authorizationCredentials, Path authorizationCredentialsFile,
      boolean tlsInsecureSkipVerify, Path tlsCaFile, String tlsServerName, boolean followRedirects,
      Map<String, String> headers, OAuth2Config oauth2, Tls tls, ProxyConfig proxy) {
    this(basicAuthUsername, basicAuthPassword, basicAuthPasswordFile, authorizationType, authorizationCredentials,
        authorizationCredentialsFile, tlsInsecureSkipVerify, tlsCaFile, tlsServerName, followRedirects, headers, oauth2,
        tls, proxy, true);
  }

  /** Settings without OAuth2 or client certificates. */
  public HttpClientConfig(String basicAuthUsername, String basicAuthPassword, Path basicAuthPasswordFile,
      String authorizationType, String authorizationCredentials, Path authorizationCredentialsFile,
      boolean tlsInsecureSkipVerify, Path tlsCaFile, String tlsServerName, boolean followRedirects,
      Map<String, String> headers) {
    this(basicAuthUsername, basicAuthPassword, basicAuthPasswordFile, authorizationType, authorizationCredentials,
        authorizationCredentialsFile, tlsInsecureSkipVerify, tlsCaFile, tlsServerName, followRedirects, headers, null,
        Tls.NONE, ProxyConfig.NONE);
  }

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
    OAuth2Config oauth2 = oauth.absent() ? null : OAuth2Config.parse(oauth, baseDir);
    int schemes = (ba.absent() ? 0 : 1) + (authType == null ? 0 : 1) + (oauth2 == null ? 0 : 1);
    if (schemes > 1) {
      throw n.error("at most one of basic_auth, oauth2 & authorization must be configured");
    }
    TlsSettings tls = TlsSettings.parse(n.get("tls_config"), baseDir);
    boolean follow = n.bool("follow_redirects", true);
    boolean http2 = n.bool("enable_http2", true);
    ProxyConfig proxy = ProxyConfig.parse(n);
    Map<String, String> headers = httpHeaders(n.get("http_headers"), baseDir);
    return new HttpClientConfig(user, pass, passFile, authType, creds, credsFile, tls.insecureSkipVerify(), tls.caFile(),
        tls.serverName(), follow, headers, oauth2, tls.material(), proxy, http2);
  }

  /** Settings with only TLS and proxy, no authentication: the client an OAuth2 token request uses. */
  static HttpClientConfig tlsAndProxy(TlsSettings tls, ProxyConfig proxy) {
    return new HttpClientConfig(null, null, null, null, null, null, tls.insecureSkipVerify(), tls.caFile(),
        tls.serverName(), true, Map.of(), null, tls.material(), proxy, true);
  }

  /** A {@code tls_config} block: verification, CA, server name and the rest of the material. */
  record TlsSettings(boolean insecureSkipVerify, Path caFile, String serverName, Tls material) {
    static final TlsSettings NONE = new TlsSettings(false, null, null, Tls.NONE);

    static TlsSettings parse(YamlNode tls, Path baseDir) {
      if (tls.absent()) {
        return NONE;
      }
      boolean insecure = tls.bool("insecure_skip_verify", false);
      String caFile = tls.string("ca_file", null);
      String caPem = tls.string("ca", null);
      if (caFile != null && caPem != null) {
        throw tls.error("at most one of ca and ca_file must be configured");
      }
      Path ca = caFile == null ? null : baseDir.resolve(caFile);
      String serverName = tls.string("server_name", null);
      String cert = tls.string("cert", null);
      String certFile = tls.string("cert_file", null);
      String key = tls.string("key", null);
      String keyFile = tls.string("key_file", null);
      if ((cert != null && certFile != null) || (key != null && keyFile != null)) {
        throw tls.error("at most one of cert and cert_file, and of key and key_file, must be configured");
      }
      boolean hasCert = cert != null || certFile != null;
      boolean hasKey = key != null || keyFile != null;
      if (hasCert && !hasKey) {
        throw tls.error("exactly one of key or key_file must be configured when a client certificate is configured");
      }
      if (hasKey && !hasCert) {
        throw tls.error("exactly one of cert or cert_file must be configured when a client key is configured");
      }
      String min = tlsVersion(tls, "min_version");
      String max = tlsVersion(tls, "max_version");
      Tls material = new Tls(caPem, cert, certFile == null ? null : baseDir.resolve(certFile), key,
          keyFile == null ? null : baseDir.resolve(keyFile), min, max);
      tls.rejectUnknownKeys("tls_config");
      return new TlsSettings(insecure, ca, serverName, material);
    }
  }

  private static final java.util.List<String> TLS_VERSIONS = java.util.List.of("TLS10", "TLS11", "TLS12", "TLS13");

  private static String tlsVersion(YamlNode tls, String key) {
    String v = tls.string(key, null);
    if (v != null && !v.isEmpty() && !TLS_VERSIONS.contains(v)) {
      throw tls.get(key).error("unknown TLS version: " + v);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * The JDK protocol names from {@code tls_config.min_version} to {@code max_version} (either
   * may be open), or an empty array for the JDK's defaults.
   */
  public String[] tlsProtocols() {
    if (tls == null || (tls.minVersion() == null && tls.maxVersion() == null)) {
      return new String[0];
    }
    int from = tls.minVersion() == null ? 2 : TLS_VERSIONS.indexOf(tls.minVersion());
    int to = tls.maxVersion() == null ? 3 : TLS_VERSIONS.indexOf(tls.maxVersion());
    String[] names = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(names[i]);
    }
    return out.toArray(new String[0]);
  }

  /**
   * Applies these settings' TLS (context and version range), redirects, proxy and, when
   * {@code allowHttp2}, {@code enable_http2} to a JDK HTTP client builder.
   */
  public java.net.http.HttpClient.Builder configure(java.net.http.HttpClient.Builder b, boolean allowHttp2)
      throws java.security.GeneralSecurityException, java.io.IOException {
    b.followRedirects(followRedirects ? java.net.http.HttpClient.Redirect.NORMAL : java.net.http.HttpClient.Redirect.NEVER);
    b.version(allowHttp2 && enableHttp2 ? java.net.http.HttpClient.Version.HTTP_2 : java.net.http.HttpClient.Version.HTTP_1_1);
    if (proxy != null && proxy.isSet()) {
      b.proxy(proxy.selector());
    }
    javax.net.ssl.SSLContext ctx = sslContext();
    if (ctx != null) {
      b.sslContext(ctx);
    }
    String[] protocols = tlsProtocols();
    if (protocols.length > 0) {
      javax.net.ssl.SSLParameters p = new javax.net.ssl.SSLParameters();
      p.setProtocols(protocols);
      b.sslParameters(p);
    }
    return b;
  }

  /** {@code http_headers}: per header, {@code values}, {@code secrets} and {@code files}, joined with ", ". */
  private static Map<String, String> httpHeaders(YamlNode n, Path baseDir) {
    if (n.absent()) {
      return Map.of();
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String name : n.keys()) {
      YamlNode h = n.get(name);
      java.util.List<String> vals = new java.util.ArrayList<>(h.strings("values"));
      vals.addAll(h.strings("secrets"));
      for (String f : h.strings("files")) {
        try {
          vals.add(java.nio.file.Files.readString(baseDir.resolve(f)).trim());
        } catch (java.io.IOException e) {
          throw h.error("cannot read header file " + f + ": " + e.getMessage());
        }
      }
      h.rejectUnknownKeys("http_headers");
      out.put(name, String.join(", ", vals));
    }
    return Map.copyOf(out);
  }

  /**
   * A fresh {@link HttpAuthorization} for a client built from these settings: the holder of that
   * client's OAuth2 token, if any. Whoever builds the client creates one and keeps it for the
   * client's lifetime.
   */
  public HttpAuthorization newAuthorization() {
    return new HttpAuthorization(this);
  }

  /**
   * The TLS context these settings ask for (CA file or inline CA, no verification, client
   * certificate); null when the JDK default will do.
   */
  public javax.net.ssl.SSLContext sslContext() throws java.security.GeneralSecurityException, java.io.IOException {
    javax.net.ssl.TrustManager[] trust = null;
    if (tlsInsecureSkipVerify) {
      trust = new javax.net.ssl.TrustManager[] {new TrustingManager()};
    } else if (tlsCaFile != null || (tls != null && tls.caPem() != null)) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      ks.load(null, null);
      byte[] pem = tlsCaFile != null ? java.nio.file.Files.readAllBytes(tlsCaFile)
          : tls.caPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      int i = 0;
      for (var cert : java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(pem))) {
        ks.setCertificateEntry("ca" + i++, cert);
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trust = tmf.getTrustManagers();
    }
    javax.net.ssl.KeyManager[] keys = null;
    if (tls != null && tls.hasClientCertificate()) {
      String cert = tls.certFile() != null ? java.nio.file.Files.readString(tls.certFile()) : tls.certPem();
      String key = tls.keyFile() != null ? java.nio.file.Files.readString(tls.keyFile()) : tls.keyPem();
      keys = PemKeys.keyManagers(cert, key);
    }
    if (trust == null && keys == null) {
      return null;
    }
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(keys, trust, new java.security.SecureRandom());
    return ctx;
  }

  /**
   * Accepts every certificate ({@code insecure_skip_verify: true}). Being an extended trust manager
   * it also skips the host name check, which the JDK otherwise adds around a plain one: a kubelet
   * scraped by IP with a certificate for its node name must be accepted, as in Prometheus.
   */
  private static final class TrustingManager extends javax.net.ssl.X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
