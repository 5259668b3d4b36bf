package dev.kiln.server.web;

import dev.kiln.config.PemKeys;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate, key and client CA of a {@link TlsServerConfig}, read from PEM (files or inline)
 * and turned into a Netty server {@link SslContext} on the JDK provider. Immutable.
 */
final class TlsMaterial {
  private final SslContext http1;
  private final SslContext http2;

  private TlsMaterial(SslContext http1, SslContext http2) {
    this.http1 = http1;
    this.http2 = http2;
  }

  /** The context to serve with: ALPN offering h2 and http/1.1 when {@code h2} is set. */
  SslContext context(boolean h2) {
    return h2 ? http2 : http1;
  }

  static TlsMaterial load(TlsServerConfig c) {
    String certPem = c.certFile() != null ? read(c.certFile(), "cert_file") : c.cert();
    String keyPem = c.keyFile() != null ? read(c.keyFile(), "key_file") : c.key();
    KeyManager[] keys;
    try {
      keys = PemKeys.keyManagers(certPem, keyPem);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new WebConfigException("failed to load X509KeyPair: " + e.getMessage(), e);
    }
    X509TrustManager trust = trustManager(c);
    return new TlsMaterial(build(c, keys[0], trust, false), build(c, keys[0], trust, true));
  }

  private static SslContext build(TlsServerConfig c, KeyManager key, X509TrustManager trust, boolean h2) {
    TlsServerConfig.ClientAuthType auth = c.clientAuth();
    SslContextBuilder b = SslContextBuilder.forServer(key)
        .sslProvider(SslProvider.JDK)
        .protocols(c.protocols())
        .clientAuth(auth.requires() ? ClientAuth.REQUIRE : auth == TlsServerConfig.ClientAuthType.NONE ? ClientAuth.NONE
            : ClientAuth.OPTIONAL);
    if (trust != null) {
      b.trustManager(trust);
    }
    if (!c.cipherSuites().isEmpty()) {
      Set<String> suites = new LinkedHashSet<>(c.cipherSuites());
      suites.addAll(TlsServerConfig.TLS13_SUITES);
      b.ciphers(new ArrayList<>(suites));
    }
    if (h2) {
      b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
    }
    try {
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new WebConfigException("cannot build TLS server context: " + e.getMessage(), e);
    }
  }

  /**
   * The client certificate check: none, any certificate (Request/RequireAny), or the client CA
   * (the JDK's roots when none is given); wrapped with the {@code client_allowed_sans} check.
   */
  private static X509TrustManager trustManager(TlsServerConfig c) {
    TlsServerConfig.ClientAuthType auth = c.clientAuth();
    if (auth == TlsServerConfig.ClientAuthType.NONE) {
      return null;
    }
    X509TrustManager base = auth.verifies() ? caTrust(c) : AnyClientCertificate.INSTANCE;
    return c.clientAllowedSans() == null ? base : new AllowedSans(base, c.clientAllowedSans());
  }

  private static X509TrustManager caTrust(TlsServerConfig c) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      String pem = c.clientCaFile() != null ? read(c.clientCaFile(), "client_ca_file") : c.clientCa();
      if (pem == null) {
        tmf.init((KeyStore) null);
      } else {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate cert : CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
          ks.setCertificateEntry("ca" + i++, cert);
        }
        tmf.init(ks);
      }
      for (var tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          return x;
        }
      }
      throw new WebConfigException("BUG: no X.509 trust manager from the JDK");
    } catch (GeneralSecurityException | IOException e) {
      throw new WebConfigException("cannot read client CA: " + e.getMessage(), e);
    }
  }

  private static String read(Path p, String field) {
    try {
      return Files.readString(p, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new WebConfigException("failed to read " + field + " (" + p + "): " + e.getMessage(), e);
    }
  }

  /** Accepts any client certificate without verifying it (RequestClientCert, RequireAnyClientCert). */
  static final class AnyClientCertificate extends X509ExtendedTrustManager {
    static final AnyClientCertificate INSTANCE = new AnyClientCertificate();

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s) {}

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("BUG: server trust manager used for a client");
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s)
        throws java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e)
        throws java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  /**
   * exporter-toolkit's {@code VerifyPeerCertificate}: after the base check, the leaf certificate
   * must carry one of the allowed DNS, e-mail, IP or URI subject alternative names.
   */
  static final class AllowedSans extends X509ExtendedTrustManager {
    private final X509TrustManager base;
    private final List<String> allowed;

    AllowedSans(X509TrustManager base, List<String> allowed) {
      this.base = base;
      this.allowed = allowed;
    }

    private void checkSans(java.security.cert.X509Certificate[] chain) throws java.security.cert.CertificateException {
      if (chain == null || chain.length == 0) {
        throw new java.security.cert.CertificateException(
            "client did not present a certificate to match against client_allowed_sans");
      }
      var sans = chain[0].getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          String value = String.valueOf(san.get(1));
          if ((type == 1 || type == 2 || type == 6) && allowed.contains(value)) {
            return;
          }
          if (type == 7 && allowed.stream().anyMatch(a -> sameIp(a, value))) {
            return;
          }
        }
      }
      throw new java.security.cert.CertificateException("could not find allowed SANs in client cert, found: " + allowed);
    }

    private static boolean sameIp(String allowed, String ip) {
      byte[] a = io.netty.util.NetUtil.createByteArrayFromIpAddressString(allowed);
      byte[] b = io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
      return a != null && java.util.Arrays.equals(a, b);
    }

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      base.checkClientTrusted(chain, authType);
      checkSans(chain);
    }

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s)
        throws java.security.cert.CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e)
        throws java.security.cert.CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      base.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s)
        throws java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e)
        throws java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return base.getAcceptedIssuers();
    }
  }
}
