package dev.kiln.scraper.discovery.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-cluster, kubeconfig and api_server connections: TLS trust, tokens and their rotation. */
class ConnectionTest {
  @TempDir static Path certDir;
  static SSLContext serverTls;
  static byte[] caPem;

  @TempDir Path dir;
  ScheduledExecutorService scheduler;
  KubernetesDiscoverer discoverer;

  /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
  @BeforeAll
  static void makeCertificate() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Path store = certDir.resolve("api.p12");
    run(keytool.toString(), "-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=kube-apiserver", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    Path ca = certDir.resolve("ca.crt");
    run(keytool.toString(), "-exportcert", "-rfc", "-alias", "api", "-keystore", store.toString(),
        "-storepass", "changeit", "-file", ca.toString());
    caPem = Files.readAllBytes(ca);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  @BeforeEach
  void setUp() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    if (discoverer != null) {
      discoverer.close();
    }
    scheduler.shutdownNow();
  }

  /** A clock tests move by hand. */
  static final class ManualClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private K8sTesting.Collector start(String sdYaml, KubeEnvironment env) {
    discoverer = new KubernetesDiscoverer(K8sTesting.config(sdYaml, dir), env, scheduler);
    K8sTesting.Collector c = new K8sTesting.Collector();
    discoverer.start(c);
    return c;
  }

  @Test
  void inClusterUsesServiceAccountFilesOwnNamespaceAndRereadsRotatedTokens() throws Exception {
    Path sa = dir.resolve("serviceaccount");
    Files.createDirectories(sa);
    Files.write(sa.resolve("ca.crt"), caPem);
    Files.writeString(sa.resolve("token"), "token-one\n");
    Files.writeString(sa.resolve("namespace"), "monitoring");
    ManualClock clock = new ManualClock();
    try (FakeKubeApi api = new FakeKubeApi(serverTls)) {
      api.put("pods", PodNodeDiscoveryTest.WEB_POD.replace("\"namespace\": \"shop\"", "\"namespace\": \"monitoring\""));
      api.requireAuthorization("Bearer token-one");
      Map<String, String> vars = Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", Integer.toString(api.port()));
      KubeEnvironment env = new KubeEnvironment(vars::get, sa, clock, "Kiln/test", 60_000, 20, 0);
      K8sTesting.Collector c = start("      - role: pod\n        namespaces: {names: [shop], own_namespace: true}\n", env);
      c.awaitGroup("pod/monitoring/web-7d9f-abc12");
      assertTrue(api.requests("/api/v1/namespaces/shop/pods").size() >= 1);
      assertEquals("Bearer token-one", api.requests("/api/v1/namespaces/monitoring/pods").get(0).authorization());

      // The kubelet rotates the projected token; the old one stops working. After a 401 the file is read again.
      Files.writeString(sa.resolve("token"), "token-two\n");
      api.requireAuthorization("Bearer token-two");
      api.awaitWatches(2);
      api.closeWatches();
      api.put("pods", PodNodeDiscoveryTest.WEB_POD.replace("\"namespace\": \"shop\"", "\"namespace\": \"monitoring\"")
          .replace("web-7d9f-abc12", "after-rotation"));
      c.awaitGroup("pod/monitoring/after-rotation");
      assertTrue(api.requests.stream().anyMatch(r -> "Bearer token-two".equals(r.authorization())));
    }
  }

  @Test
  void credentialFilesAreReadAgainOnceTheyAreOlderThanTheirMaximumAge() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "a");
    ManualClock clock = new ManualClock();
    Credentials creds = Credentials.file("Bearer", token, 60_000, clock);
    assertEquals("Bearer a", creds.header());
    Files.writeString(token, "b");
    assertEquals("Bearer a", creds.header(), "cached within a minute");
    clock.now = clock.now.plus(Duration.ofSeconds(61));
    assertEquals("Bearer b", creds.header());
    Files.writeString(token, "c");
    creds.invalidate();
    assertEquals("Bearer c", creds.header(), "a 401 forgets the cached token");
  }

  @Test
  void inClusterOutsideAClusterIsAClearErrorAndIpv6HostsAreBracketed() throws Exception {
    KubeEnvironment env = new KubeEnvironment(k -> null, dir, Clock.systemUTC(), "Kiln/test", 60_000, 20, 0);
    IOException e = assertThrows(IOException.class,
        () -> ApiConnection.connect(K8sTesting.config("      - role: pod\n", dir), env));
    assertTrue(e.getMessage().contains("not running in a cluster"), e.getMessage());

    Files.write(dir.resolve("ca.crt"), caPem);
    Files.writeString(dir.resolve("token"), "t");
    Map<String, String> vars = Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "443");
    KubeEnvironment v6 = new KubeEnvironment(vars::get, dir, Clock.systemUTC(), "Kiln/test", 60_000, 20, 0);
    assertEquals("https://[fd00::1]:443",
        ApiConnection.connect(K8sTesting.config("      - role: pod\n", dir), v6).client().server().toString());
  }

  @Test
  void kubeconfigWithCaDataAndToken() throws Exception {
    try (FakeKubeApi api = new FakeKubeApi(serverTls)) {
      api.put("nodes", PodNodeDiscoveryTest.NODE);
      api.requireAuthorization("Bearer kc-token");
      Files.writeString(dir.resolve("kubeconfig"), """
          apiVersion: v1
          kind: Config
          current-context: kind-kiln
          clusters:
            - name: other
              cluster: {server: "https://192.0.2.1:6443"}
            - name: kind-kiln
              cluster:
                server: %s
                certificate-authority-data: %s
          contexts:
            - name: kind-kiln
              context: {cluster: kind-kiln, user: kind-kiln, namespace: default}
          users:
            - name: kind-kiln
              user: {token: kc-token}
          """.formatted(api.url(), Base64.getEncoder().encodeToString(caPem)));
      K8sTesting.Collector c = start("      - role: node\n        kubeconfig_file: kubeconfig\n", K8sTesting.env(dir));
      c.awaitGroup("node/worker-1");
    }
  }

  @Test
  void kubeconfigInsecureSkipTlsVerifyAcceptsACertificateForAnotherName() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Path store = dir.resolve("other.p12");
    run(keytool.toString(), "-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=elsewhere", "-ext", "san=dns:elsewhere.example", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    try (FakeKubeApi api = new FakeKubeApi(tls)) {
      api.put("nodes", PodNodeDiscoveryTest.NODE);
      Files.writeString(dir.resolve("kubeconfig"), """
          apiVersion: v1
          current-context: c
          clusters: [{name: c, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
          contexts: [{name: c, context: {cluster: c, user: u}}]
          users: [{name: u, user: {username: admin, password: secret}}]
          """.formatted(api.url()));
      K8sTesting.Collector c = start("      - role: node\n        kubeconfig_file: kubeconfig\n", K8sTesting.env(dir));
      c.awaitGroup("node/worker-1");
      assertEquals("Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes()),
          api.requests("/api/v1/nodes").get(0).authorization());
    }
  }

  @Test
  void kubeconfigExecPluginTokenIsCachedUntilItExpires() throws Exception {
    try (FakeKubeApi api = new FakeKubeApi()) {
      api.put("nodes", PodNodeDiscoveryTest.NODE);
      api.requireAuthorization("Bearer from-plugin-kiln");
      Path plugin = dir.resolve("bin/get-token");
      Files.createDirectories(plugin.getParent());
      Files.writeString(plugin, """
          #!/bin/sh
          echo "$(date +%s%N)" >> "$(dirname "$0")/calls"
          printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin-%s","expirationTimestamp":"2999-01-01T00:00:00Z"}}' "$TOKEN_SUFFIX"
          """);
      plugin.toFile().setExecutable(true);
      Files.writeString(dir.resolve("kubeconfig"), """
          apiVersion: v1
          current-context: c
          clusters: [{name: c, cluster: {server: "%s"}}]
          contexts: [{name: c, context: {cluster: c, user: u}}]
          users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/get-token
                  env: [{name: TOKEN_SUFFIX, value: kiln}]
          """.formatted(api.url()));
      K8sTesting.Collector c = start("      - role: node\n        kubeconfig_file: kubeconfig\n", K8sTesting.env(dir));
      c.awaitGroup("node/worker-1");
      api.awaitWatches(1);
      assertEquals(1, Files.readAllLines(dir.resolve("bin/calls")).size(), "the token is cached until it expires");
    }
  }

  @Test
  void apiServerCredentialsFileIsReadForEveryRequest() throws Exception {
    try (FakeKubeApi api = new FakeKubeApi()) {
      api.put("nodes", PodNodeDiscoveryTest.NODE);
      Files.writeString(dir.resolve("token"), "first");
      K8sTesting.Collector c = start("      - role: node\n        api_server: " + api.url()
          + "\n        authorization: {credentials_file: token}\n", K8sTesting.env(dir));
      c.awaitGroup("node/worker-1");
      api.awaitWatches(1);
      Files.writeString(dir.resolve("token"), "second");
      api.requireAuthorization("Bearer second");
      api.closeWatches();
      api.put("nodes", PodNodeDiscoveryTest.NODE.replace("\"name\": \"worker-1\"", "\"name\": \"worker-2\""));
      c.awaitGroup("node/worker-2");
      List<FakeKubeApi.Request> reqs = api.requests("/api/v1/nodes");
      assertEquals("Bearer first", reqs.get(0).authorization());
      assertEquals("Bearer second", reqs.get(reqs.size() - 1).authorization());
    }
  }
}
