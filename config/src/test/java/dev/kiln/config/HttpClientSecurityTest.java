package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** OAuth2 client credentials and TLS client certificates of the HTTP client settings. */
class HttpClientSecurityTest {
  private static final Path TLS = Path.of("src/test/resources/tls");

  private static HttpClientConfig parse(String yaml) {
    PrometheusConfig c = ConfigLoader.parse("test", "scrape_configs:\n  - job_name: x\n" + yaml, TLS.toAbsolutePath());
    return c.scrapeConfigs().get(0).http();
  }

  @Test
  void privateKeysInEveryPemForm() throws Exception {
    var pkcs1 = PemKeys.privateKey(Files.readString(TLS.resolve("client-pkcs1.key")));
    var pkcs8 = PemKeys.privateKey(Files.readString(TLS.resolve("client-pkcs8.key")));
    assertEquals(pkcs8, pkcs1, "the PKCS#1 form of the same RSA key");
    assertEquals("EC", PemKeys.privateKey(Files.readString(TLS.resolve("client-ec.key"))).getAlgorithm());
  }

  @Test
  void clientCertificatesAreShownToServersThatRequireThem() throws Exception {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    SSLContext serverTls = serverContext();
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls) {
      @Override
      public void configure(HttpsParameters params) {
        var p = serverTls.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server.createContext("/metrics", ex -> {
      byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
      for (String key : List.of("client-pkcs1.key", "client-pkcs8.key")) {
        HttpClientConfig cfg = parse("    tls_config: {ca_file: server.crt, cert_file: client.crt, key_file: " + key + "}\n");
        assertEquals(200, get(cfg, url), key);
      }
      HttpClientConfig ec = parse("    tls_config: {ca_file: server.crt, cert_file: client-ec.crt, key_file: client-ec.key}\n");
      assertEquals(200, get(ec, url));
      HttpClientConfig inline = parse("    tls_config:\n      ca: |\n"
          + Files.readString(TLS.resolve("server.crt")).lines().map(l -> "        " + l).reduce("", (a, b) -> a + b + "\n")
          + "      cert_file: client.crt\n      key_file: client-pkcs8.key\n");
      assertEquals(200, get(inline, url));
      HttpClientConfig noCert = parse("    tls_config: {ca_file: server.crt}\n");
      assertThrows(java.io.IOException.class, () -> get(noCert, url));
    } finally {
      server.stop(0);
    }
    ConfigException e = assertThrows(ConfigException.class, () -> parse("    tls_config: {cert_file: client.crt}\n"));
    assertTrue(e.getMessage().contains("key or key_file"), e.getMessage());
  }

  private static int get(HttpClientConfig cfg, URI url) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(cfg.sslContext()).build();
    return client.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static SSLContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(TLS.resolve("server.p12").toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    for (String c : List.of("client.crt", "client-ec.crt")) {
      try (FileInputStream in = new FileInputStream(TLS.resolve(c).toFile())) {
        trust.setCertificateEntry(c, cf.generateCertificate(in));
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void oauth2TokensAreFetchedCachedAndSentAsBearer() throws Exception {
    HttpServer tokens = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> forms = Collections.synchronizedList(new ArrayList<>());
    List<String> auths = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger issued = new AtomicInteger();
    tokens.createContext("/token", ex -> {
      forms.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      auths.add(ex.getRequestHeaders().getFirst("Authorization"));
      byte[] body = ("{\"access_token\":\"tok" + issued.incrementAndGet()
          + "\",\"token_type\":\"bearer\",\"expires_in\":3600}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    tokens.start();
    try {
      String url = "http://127.0.0.1:" + tokens.getAddress().getPort() + "/token";
      HttpClientConfig cfg = parse("    oauth2:\n      client_id: kiln\n      client_secret: s3cret\n"
          + "      scopes: [read, write]\n      token_url: " + url + "\n      endpoint_params: {audience: metrics}\n");
      HttpAuthorization auth = cfg.newAuthorization();
      assertEquals("Bearer tok1", auth.header());
      assertEquals("Bearer tok1", auth.header(), "cached until it expires");
      assertEquals(1, issued.get());
      assertEquals("grant_type=client_credentials&scope=read+write&audience=metrics", forms.get(0));
      assertEquals("Basic a2lsbjpzM2NyZXQ=", auths.get(0));
    } finally {
      tokens.stop(0);
    }
    ConfigException both = assertThrows(ConfigException.class, () -> parse(
        "    basic_auth: {username: a}\n    oauth2: {client_id: a, token_url: 'http://x/'}\n"));
    assertTrue(both.getMessage().contains("at most one of basic_auth, oauth2 & authorization"), both.getMessage());
  }

  @Test
  void httpHeadersAreRead() {
    HttpClientConfig cfg = parse("    http_headers:\n      X-Scope-OrgID: {values: [team-a]}\n"
        + "      X-Token: {secrets: [abc]}\n");
    assertEquals("team-a", cfg.headers().get("X-Scope-OrgID"));
    assertEquals("abc", cfg.headers().get("X-Token"));
  }
}
