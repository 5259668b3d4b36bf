package dev.kiln.server.web;

import dev.kiln.config.YamlNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tls_server_config} of a web config file, with exporter-toolkit's defaults (TLS 1.2 to 1.3,
 * server cipher order preferred) and its validation rules. Paths are absolute. Immutable.
 */
public record TlsServerConfig(
    Path certFile,
    String cert,
    Path keyFile,
    String key,
    Path clientCaFile,
    String clientCa,
    String clientAuthType,
    List<String> cipherSuites,
    List<String> curvePreferences,
    String minVersion,
    String maxVersion,
    boolean preferServerCipherSuites,
    List<String> clientAllowedSans) {

  static final TlsServerConfig NONE =
      new TlsServerConfig(null, null, null, null, null, null, "", List.of(), List.of(), "TLS12", "TLS13", true, null);

  /** exporter-toolkit's TLS version names, oldest first, with the JDK's protocol names. */
  static final Map<String, String> VERSIONS =
      Map.of("TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
  private static final List<String> VERSION_ORDER = List.of("TLS10", "TLS11", "TLS12", "TLS13");

  /** Go's curve names and the JDK's named groups. */
  static final Map<String, String> CURVES =
      Map.of("CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");

  /** Go's {@code tls.CipherSuites()} names (IANA names, as the JDK uses). */
  static final List<String> GO_CIPHER_SUITES = List.of(
      "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

  /** The TLS 1.3 suites, which Go never lets a configuration restrict. */
  static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  static TlsServerConfig parse(YamlNode n, Path baseDir) {
    if (n.absent()) {
      return NONE;
    }
    String cert = n.string("cert", null);
    String key = n.string("key", null);
    String clientCa = n.string("client_ca", null);
    Path certFile = path(baseDir, n.string("cert_file", null));
    Path keyFile = path(baseDir, n.string("key_file", null));
    Path caFile = path(baseDir, n.string("client_ca_file", null));
    String auth = n.string("client_auth_type", "");
    List<String> ciphers = n.strings("cipher_suites");
    for (String c : ciphers) {
      if (!GO_CIPHER_SUITES.contains(c)) {
        throw n.get("cipher_suites").error("unknown cipher: " + c);
      }
    }
    List<String> curves = n.strings("curve_preferences");
    for (String c : curves) {
      if (!CURVES.containsKey(c)) {
        throw n.get("curve_preferences").error("unknown curve: " + c);
      }
    }
    String min = version(n, "min_version", "TLS12");
    String max = version(n, "max_version", "TLS13");
    boolean prefer = n.bool("prefer_server_cipher_suites", true);
    List<String> sans = n.has("client_allowed_sans") ? n.strings("client_allowed_sans") : null;
    n.rejectUnknownKeys("tls_server_config");
    return new TlsServerConfig(certFile, cert, keyFile, key, caFile, clientCa, auth, List.copyOf(ciphers),
        List.copyOf(curves), min, max, prefer, sans == null ? null : List.copyOf(sans));
  }

  private static Path path(Path baseDir, String p) {
    if (p == null || p.isEmpty()) {
      return null;
    }
    return baseDir == null ? Path.of(p) : baseDir.resolve(p);
  }

  private static String version(YamlNode n, String key, String def) {
    String v = n.string(key, def);
    if (!VERSIONS.containsKey(v)) {
      throw n.get(key).error("unknown TLS version: " + v);
    }
    return v;
  }

  /** True when any TLS field is set (exporter-toolkit's {@code IsEnabled}): the server then serves HTTPS. */
  public boolean enabled() {
    return certFile != null || cert != null || keyFile != null || key != null || clientCaFile != null
        || clientCa != null || !clientAuthType.isEmpty();
  }

  /** The checks exporter-toolkit's {@code ConfigToTLSConfig} makes before loading anything. */
  void validate() {
    if (certFile == null && cert == null) {
      throw new WebConfigException("missing one of cert or cert_file");
    }
    if (keyFile == null && key == null) {
      throw new WebConfigException("missing one of key or key_file");
    }
    ClientAuthType type = clientAuth();
    if ((clientCaFile != null || clientCa != null) && type == ClientAuthType.NONE) {
      throw new WebConfigException("client CA's have been configured without a Client Auth Policy");
    }
    if (clientAllowedSans != null && type != ClientAuthType.REQUIRE_ANY && type != ClientAuthType.REQUIRE_AND_VERIFY) {
      throw new WebConfigException(
          "client_allowed_sans requires client_auth_type to be one of RequireAnyClientCert or RequireAndVerifyClientCert");
    }
  }

  /** Reads the certificate, key and client CA now; fails as Prometheus's start-up validation does. */
  TlsMaterial load() {
    return TlsMaterial.load(this);
  }

  /** {@code client_auth_type}, as Go's {@code tls.ClientAuthType}. */
  ClientAuthType clientAuth() {
    return switch (clientAuthType) {
      case "", "NoClientCert" -> ClientAuthType.NONE;
      case "RequestClientCert" -> ClientAuthType.REQUEST;
      case "RequireAnyClientCert", "RequireClientCert" -> ClientAuthType.REQUIRE_ANY;
      case "VerifyClientCertIfGiven" -> ClientAuthType.VERIFY_IF_GIVEN;
      case "RequireAndVerifyClientCert" -> ClientAuthType.REQUIRE_AND_VERIFY;
      default -> throw new WebConfigException("invalid ClientAuth: " + clientAuthType);
    };
  }

  /** The JDK protocol names from {@code min_version} to {@code max_version}. */
  List<String> protocols() {
    List<String> out = new ArrayList<>();
    int from = VERSION_ORDER.indexOf(minVersion);
    int to = VERSION_ORDER.indexOf(maxVersion);
    for (int i = from; i <= to; i++) {
      out.add(VERSIONS.get(VERSION_ORDER.get(i)));
    }
    if (out.isEmpty()) {
      throw new WebConfigException("min_version " + minVersion + " is above max_version " + maxVersion);
    }
    return out;
  }

  /** Go's client authentication policies. */
  enum ClientAuthType {
    NONE, REQUEST, REQUIRE_ANY, VERIFY_IF_GIVEN, REQUIRE_AND_VERIFY;

    boolean verifies() {
      return this == VERIFY_IF_GIVEN || this == REQUIRE_AND_VERIFY;
    }

    boolean requires() {
      return this == REQUIRE_ANY || this == REQUIRE_AND_VERIFY;
    }
  }
}
