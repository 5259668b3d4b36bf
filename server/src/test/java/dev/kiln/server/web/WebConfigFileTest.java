package dev.kiln.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.scraper.Peer;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import dev.kiln.server.Tuning;
import dev.kiln.server.WebOptions;
import java.io.IOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kiln started with a {@code --web.config.file} (mutual TLS with allowed SANs, basic auth,
 * headers), driven by real clients: curl over HTTP/2 and HTTP/1.1, Prometheus 2.42 remote-writing
 * over TLS with basic auth, and Kiln scraping node_exporter served over TLS with basic auth by the
 * same web config format.
 */
class WebConfigFileTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static TestCerts certs;
  private static Path[] server;
  private static Path[] client;
  private static KilnServer kiln;
  private static String base;
  private static Process nodeExporter;

  @BeforeAll
  static void start() throws Exception {
    certs = new TestCerts(dir, "test");
    server = certs.issue("server", "127.0.0.1", "localhost");
    client = certs.issue("client", "client.example");
    String hash = BCrypt.withDefaults().hashToString(6, "wonderland".toCharArray());
    Files.writeString(dir.resolve("web.yml"), """
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_ca_file: test-ca.pem
          client_auth_type: RequireAndVerifyClientCert
          client_allowed_sans: [client.example, prometheus.example]
        http_server_config:
          headers:
            X-Frame-Options: deny
            Strict-Transport-Security: max-age=31536000
        basic_auth_users:
          alice: %s
        """.formatted(hash));
    // node_exporter (exporter-toolkit itself) serving TLS and basic auth with the same hash.
    Files.writeString(dir.resolve("node-web.yml"), """
        tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS13}
        basic_auth_users: {alice: %s}
        """.formatted(hash));
    int nePort = Peer.freePort();
    if (Files.isExecutable(Path.of("/usr/bin/prometheus-node-exporter"))) {
      nodeExporter = new ProcessBuilder("/usr/bin/prometheus-node-exporter", "--web.listen-address=127.0.0.1:" + nePort,
          "--web.config.file=" + dir.resolve("node-web.yml"), "--collector.disable-defaults", "--collector.cpu")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      awaitPort(nePort);
    }
    Files.writeString(dir.resolve("kiln.yml"), """
        global: {scrape_interval: 1s, scrape_timeout: 1s}
        scrape_configs:
          - job_name: node-tls
            scheme: https
            tls_config: {ca_file: test-ca.pem}
            basic_auth: {username: alice, password: wonderland}
            static_configs: [{targets: ['127.0.0.1:%d']}]
          - job_name: node-tls-wrong-password
            scheme: https
            tls_config: {ca_file: test-ca.pem}
            basic_auth: {username: alice, password: rabbit}
            static_configs: [{targets: ['127.0.0.1:%d']}]
          - job_name: node-tls-unknown-ca
            scheme: https
            basic_auth: {username: alice, password: wonderland}
            static_configs: [{targets: ['127.0.0.1:%d']}]
          - job_name: node-tls12-only
            scheme: https
            tls_config: {ca_file: test-ca.pem, max_version: TLS12}
            basic_auth: {username: alice, password: wonderland}
            static_configs: [{targets: ['127.0.0.1:%d']}]
        kiln: {host_metrics: false}
        """.formatted(nePort, nePort, nePort, nePort));
    kiln = new KilnServer(new KilnOptions(dir.resolve("kiln.yml"), dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0,
        true, false, true, 120_000, 50_000_000, 300_000, 4, "",
        new WebOptions(dir.resolve("web.yml"), "/", "Kiln", 512), Tuning.DEFAULTS));
    kiln.start();
    base = "https://127.0.0.1:" + kiln.address().getPort();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!kiln.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (kiln != null) {
      kiln.close();
    }
    if (nodeExporter != null) {
      nodeExporter.destroy();
      nodeExporter.waitFor();
    }
  }

  private static void awaitPort(int port) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("port " + port + " did not open");
  }

  /** curl's exit code, "code version" line, headers and body. */
  record Curl(int exit, int status, String version, String headers, String body) {}

  static Curl curl(String... args) throws Exception {
    Path body = Files.createTempFile(dir, "body", ".txt");
    Path headers = Files.createTempFile(dir, "headers", ".txt");
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", body.toString(), "-D",
        headers.toString(), "-w", "%{http_code} %{http_version}"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int exit = p.waitFor();
    String[] parts = out.split(" ");
    return new Curl(exit, Integer.parseInt(parts[0]), parts.length > 1 ? parts[1] : "", Files.readString(headers),
        Files.readString(body));
  }

  private static List<String> mtls(Path[] id, String user, String pass) {
    List<String> a = new ArrayList<>(List.of("--cacert", certs.caFile.toString(), "--cert", id[0].toString(), "--key",
        id[1].toString()));
    if (user != null) {
      a.addAll(List.of("-u", user + ":" + pass));
    }
    return a;
  }

  private static Curl get(List<String> auth, String path, String... extra) throws Exception {
    List<String> a = new ArrayList<>(auth);
    a.addAll(List.of(extra));
    a.add(base + path);
    return curl(a.toArray(String[]::new));
  }

  private static JsonNode query(String q) throws Exception {
    Curl c = get(mtls(client, "alice", "wonderland"), "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    assertEquals(200, c.status(), c.body());
    return JSON.readTree(c.body()).path("data").path("result");
  }

  private static JsonNode awaitSeries(String q) throws Exception {
    long deadline = System.nanoTime() + 40_000_000_000L;
    JsonNode r = query(q);
    while (r.size() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(250);
      r = query(q);
    }
    return r;
  }

  @Test
  void rightCertificateAndPasswordServeOverHttp2WithConfiguredHeaders() throws Exception {
    Curl c = get(mtls(client, "alice", "wonderland"), "/api/v1/query?query=1", "--http2");
    assertEquals(0, c.exit());
    assertEquals(200, c.status(), c.body());
    assertEquals("2", c.version());
    assertTrue(c.body().contains("\"status\":\"success\""), c.body());
    assertTrue(c.headers().toLowerCase().contains("x-frame-options: deny"), c.headers());
    assertTrue(c.headers().toLowerCase().contains("strict-transport-security: max-age=31536000"), c.headers());
    Curl h1 = get(mtls(client, "alice", "wonderland"), "/-/healthy", "--http1.1");
    assertEquals(200, h1.status());
    assertEquals("1.1", h1.version());
  }

  @Test
  void wrongOrMissingPasswordIsUnauthorizedOnEveryEndpoint() throws Exception {
    for (String path : new String[] {"/api/v1/query?query=1", "/federate?match[]=up", "/graph", "/-/healthy", "/-/ready", "/metrics"}) {
      Curl wrong = get(mtls(client, "alice", "rabbit"), path);
      assertEquals(401, wrong.status(), path);
      assertTrue(wrong.headers().contains("WWW-Authenticate: Basic") || wrong.headers().contains("www-authenticate: Basic"),
          wrong.headers());
      assertTrue(wrong.headers().toLowerCase().contains("x-frame-options: deny"), "headers on 401 too");
      assertEquals(401, get(mtls(client, null, null), path).status(), path);
      assertEquals(401, get(mtls(client, "bob", "wonderland"), path).status(), path);
    }
  }

  @Test
  void missingExpiredForeignOrUnlistedClientCertificateFailsTheHandshake() throws Exception {
    Path[] expired = certs.issue("expired", Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)),
        "client.example");
    Path[] unlisted = certs.issue("unlisted", "someone.example");
    TestCerts rogueCa = new TestCerts(dir, "rogue");
    Path[] rogue = rogueCa.issue("rogue-client", "client.example");
    List<List<String>> failing = List.of(
        List.of("--cacert", certs.caFile.toString(), "-u", "alice:wonderland"),
        mtls(expired, "alice", "wonderland"),
        mtls(unlisted, "alice", "wonderland"),
        mtls(rogue, "alice", "wonderland"));
    for (List<String> args : failing) {
      Curl c = get(args, "/-/healthy");
      assertNotEquals(0, c.exit(), "handshake must fail for " + args);
      assertEquals(0, c.status(), "no HTTP response for " + args);
    }
    Curl plain = curl("http://127.0.0.1:" + kiln.address().getPort() + "/-/healthy");
    assertNotEquals(200, plain.status(), "plain HTTP is not served on a TLS port");
  }

  @Test
  void rejectedWritesStoreNothing() throws Exception {
    List<String> push = List.of("-X", "PUT", "--data-binary", "rejected_metric 1\n");
    Curl noCert = get(List.of("--cacert", certs.caFile.toString(), "-u", "alice:wonderland"), "/metrics/job/webtest", push.toArray(String[]::new));
    assertEquals(0, noCert.status());
    Curl badPass = get(mtls(client, "alice", "rabbit"), "/metrics/job/webtest", push.toArray(String[]::new));
    assertEquals(401, badPass.status());
    kiln.ingestPushesNow();
    assertEquals(0, query("rejected_metric").size(), "nothing written by rejected requests");
    Curl good = get(mtls(client, "alice", "wonderland"), "/metrics/job/webtest2", "-X", "PUT", "--data-binary", "accepted_metric 1\n");
    assertEquals(200, good.status(), good.body());
    kiln.ingestPushesNow();
    assertEquals(1, query("accepted_metric").size());
  }

  @Test
  void prometheusRemoteWritesOverTlsWithBasicAuthOnlyWithTheRightPassword() throws Exception {
    Path[] prom = certs.issue("prometheus", "prometheus.example");
    Path promCfg = dir.resolve("prom.yml");
    Files.writeString(promCfg, """
        global: {scrape_interval: 1s}
        scrape_configs:
          - job_name: kiln
            scheme: https
            tls_config: {ca_file: %2$s, cert_file: %3$s, key_file: %4$s}
            basic_auth: {username: alice, password: wonderland}
            static_configs: [{targets: ['%5$s']}]
        remote_write:
          - url: %1$s/api/v1/write
            name: good
            tls_config: {ca_file: %2$s, cert_file: %3$s, key_file: %4$s}
            basic_auth: {username: alice, password: wonderland}
            queue_config: {batch_send_deadline: 1s}
            write_relabel_configs: [{target_label: queue, replacement: good}]
          - url: %1$s/api/v1/write
            name: bad
            tls_config: {ca_file: %2$s, cert_file: %3$s, key_file: %4$s}
            basic_auth: {username: alice, password: rabbit}
            queue_config: {batch_send_deadline: 1s}
            write_relabel_configs: [{target_label: queue, replacement: bad}]
        """.formatted(base, certs.caFile, prom[0], prom[1], "127.0.0.1:" + kiln.address().getPort()));
    try (Peer prometheus = Peer.start("prometheus", "/-/ready", "--config.file=" + promCfg,
        "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:{port}")) {
      JsonNode good = awaitSeries("up{job=\"kiln\",queue=\"good\"} == 1");
      assertEquals(1, good.size(), "Prometheus scraped Kiln over TLS and wrote through the authenticated queue: " + good);
      assertEquals(0, query("count({queue=\"bad\"})").size(), "nothing arrived through the wrong-password queue");
    }
  }

  @Test
  void kilnScrapesATlsTargetWithBasicAuth() throws Exception {
    if (nodeExporter == null && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("prometheus-node-exporter is not installed");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(nodeExporter != null, "prometheus-node-exporter is not installed");
    JsonNode up = awaitSeries("up{job=\"node-tls\"} == 1");
    assertEquals(1, up.size(), "node_exporter scraped over TLS with basic auth: " + up);
    assertTrue(awaitSeries("node_cpu_seconds_total{job=\"node-tls\"}").size() > 0);
    JsonNode wrong = awaitSeries("up{job=\"node-tls-wrong-password\"}");
    assertEquals("0", wrong.get(0).path("value").get(1).asText(), "wrong password: target down");
    JsonNode unknownCa = awaitSeries("up{job=\"node-tls-unknown-ca\"}");
    assertEquals("0", unknownCa.get(0).path("value").get(1).asText(), "untrusted server certificate: target down");
    JsonNode tls12 = awaitSeries("up{job=\"node-tls12-only\"}");
    assertEquals("0", tls12.get(0).path("value").get(1).asText(), "tls_config.max_version TLS12 against a TLS 1.3-only target");
  }

  @Test
  void rotatedServerCertificateIsServedToNewConnections() throws Exception {
    TestCerts next = new TestCerts(dir, "next");
    Path[] rotated = next.issue("server-next", "127.0.0.1");
    FileTime later = FileTime.from(Instant.now().plusSeconds(5));
    Files.copy(rotated[0], server[0], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(rotated[1], server[1], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(server[0], later);
    Files.setLastModifiedTime(server[1], later);
    try {
      Curl withNewCa = get(List.of("--cacert", next.caFile.toString(), "--cert", client[0].toString(), "--key",
          client[1].toString(), "-u", "alice:wonderland"), "/-/healthy");
      assertEquals(200, withNewCa.status(), "new certificate served without a restart");
      assertNotEquals(0, get(mtls(client, "alice", "wonderland"), "/-/healthy").exit(), "old CA no longer matches");
    } finally {
      Path[] original = certs.issue("server", "127.0.0.1", "localhost");
      Files.setLastModifiedTime(original[0], FileTime.from(Instant.now().plusSeconds(10)));
      Files.setLastModifiedTime(original[1], FileTime.from(Instant.now().plusSeconds(10)));
    }
  }
}
