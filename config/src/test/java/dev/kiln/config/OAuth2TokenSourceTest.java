package dev.kiln.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Token requests honour the oauth2 block's proxy and TLS settings; each source keeps its own token. */
class OAuth2TokenSourceTest {
  private static final Path TLS = Path.of("src/test/resources/tls");
  private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();
  private final AtomicInteger issued = new AtomicInteger();
  private final List<String> seenUris = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopServers() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  private static OAuth2Config oauth2(String block) {
    PrometheusConfig c = ConfigLoader.parse("test", "scrape_configs:\n  - job_name: x\n    oauth2:\n" + block,
        TLS.toAbsolutePath());
    return c.scrapeConfigs().get(0).http().oauth2();
  }

  /** Answers every request with a new token valid for {@code expiresIn} seconds, recording the request URI. */
  private void issue(HttpExchange ex, int expiresIn) throws IOException {
    seenUris.add(ex.getRequestURI().toString());
    ex.getRequestBody().readAllBytes();
    byte[] body = ("{\"access_token\":\"tok" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
        + expiresIn + "}").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  private HttpServer plainServer(int expiresIn) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/", ex -> issue(ex, expiresIn));
    s.start();
    servers.add(() -> s.stop(0));
    return s;
  }

  @Test
  void theTokenRequestGoesThroughTheOauth2Proxy() throws Exception {
    // The proxy answers itself: a request for the (unresolvable) token host reaching it proves the route.
    HttpServer proxy = plainServer(3600);
    OAuth2Config cfg = oauth2("      client_id: kiln\n      token_url: http://idp.example.test/oauth/token\n"
        + "      proxy_url: http://127.0.0.1:" + proxy.getAddress().getPort() + "\n");
    assertEquals("Bearer tok1", new OAuth2TokenSource(cfg).authorization());
    assertEquals(List.of("http://idp.example.test/oauth/token"), seenUris);
  }

  @Test
  void theTokenRequestTrustsTheOauth2CaOnly() throws Exception {
    HttpsServer idp = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    idp.setHttpsConfigurator(new HttpsConfigurator(serverContext()));
    idp.createContext("/token", ex -> issue(ex, 3600));
    idp.start();
    servers.add(() -> idp.stop(0));
    String url = "https://127.0.0.1:" + idp.getAddress().getPort() + "/token";
    OAuth2Config trusting = oauth2("      client_id: kiln\n      token_url: " + url + "\n"
        + "      tls_config: {ca_file: server.crt}\n");
    assertEquals("Bearer tok1", new OAuth2TokenSource(trusting).authorization());
    OAuth2Config defaults = oauth2("      client_id: kiln\n      token_url: " + url + "\n");
    IOException e = assertThrows(IOException.class, () -> new OAuth2TokenSource(defaults).authorization());
    assertTrue(e.getMessage().startsWith("oauth2: cannot fetch a token from " + url), e.getMessage());
    assertEquals(1, issued.get(), "the untrusted handshake issued no token");
  }

  @Test
  void eachSourceKeepsItsOwnToken() throws Exception {
    HttpServer idp = plainServer(3600);
    OAuth2Config cfg = oauth2("      client_id: kiln\n      token_url: http://127.0.0.1:" + idp.getAddress().getPort()
        + "/token\n");
    HttpClientConfig http = new HttpClientConfig(null, null, null, null, null, null, false, null, null, true,
        java.util.Map.of(), cfg, HttpClientConfig.Tls.NONE, ProxyConfig.NONE);
    HttpAuthorization first = http.newAuthorization();
    HttpAuthorization second = http.newAuthorization();
    assertNotSame(first, second);
    assertEquals("Bearer tok1", first.header());
    assertEquals("Bearer tok1", first.header(), "reused while valid");
    assertEquals("Bearer tok2", second.header(), "a second client fetches its own token");
    assertEquals(2, issued.get());
  }

  @Test
  void tokensAreRefreshedTenSecondsBeforeTheyExpire() throws Exception {
    HttpServer idp = plainServer(60);
    OAuth2Config cfg = oauth2("      client_id: kiln\n      token_url: http://127.0.0.1:" + idp.getAddress().getPort()
        + "/token\n");
    AtomicLong now = new AtomicLong(1_000_000);
    OAuth2TokenSource source = new OAuth2TokenSource(cfg, now::get);
    assertEquals("Bearer tok1", source.authorization());
    now.addAndGet(49_999);
    assertEquals("Bearer tok1", source.authorization(), "still 10 s and more from expiry");
    now.addAndGet(1);
    assertEquals("Bearer tok2", source.authorization(), "replaced 10 s before expires_in runs out");
    assertEquals("Bearer tok2", source.authorization());
    assertEquals(2, issued.get());
  }

  @Test
  void proxyAndTlsSettingsOfTheOauth2BlockAreValidated() {
    ConfigException e = assertThrows(ConfigException.class, () -> oauth2(
        "      client_id: kiln\n      token_url: http://idp/\n      no_proxy: localhost\n"));
    assertTrue(e.getMessage().contains("if no_proxy is configured, proxy_url must also be configured"), e.getMessage());
    ConfigException tls = assertThrows(ConfigException.class, () -> oauth2(
        "      client_id: kiln\n      token_url: http://idp/\n      tls_config: {cert_file: client.crt}\n"));
    assertTrue(tls.getMessage().contains("key or key_file"), tls.getMessage());
  }

  private static SSLContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(TLS.resolve("server.p12").toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }
}
