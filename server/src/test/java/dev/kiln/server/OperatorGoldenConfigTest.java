package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigException;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus Operator's golden {@code prometheus.yml} files (see
 * {@code operator-golden/README.md}): Kiln accepts those Prometheus accepts, with the fields
 * applied, and rejects those Prometheus rejects.
 */
class OperatorGoldenConfigTest {
  private static final Path DIR = Path.of("src/test/resources/operator-golden");

  private static List<Path> files(String sub) throws Exception {
    try (Stream<Path> s = Files.list(DIR.resolve(sub))) {
      return s.filter(p -> p.toString().endsWith(".golden")).sorted().toList();
    }
  }

  private static int checkConfig(Path file, StringWriter out) {
    var cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(out));
    java.io.PrintStream saved = System.out;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(captured));
    try {
      return cmd.execute("check", "config", file.toString());
    } finally {
      System.setOut(saved);
      out.write(captured.toString());
    }
  }

  @Test
  void kilnCheckConfigAcceptsEveryGoldenThatPrometheusAccepts() throws Exception {
    List<Path> accepted = files("accepted");
    assertTrue(accepted.size() >= 15, "a representative set: " + accepted.size());
    for (Path f : accepted) {
      StringWriter out = new StringWriter();
      assertEquals(0, checkConfig(f, out), f + ":\n" + out);
      assertTrue(out.toString().contains("SUCCESS"), out.toString());
    }
  }

  @Test
  void goldensThatPrometheusRejectsAreRejectedForTheSameReason() throws Exception {
    Map<String, String> reasons = Map.of(
        "AlertmanagerAPIVersionV2PrometheusV3.golden", "expected Alertmanager api version to be one of [v2] but got V2",
        "AlertmanagerEnableHttp2_true_expectedWithHTTP2Enabled.golden", "expected Alertmanager api version to be one of [v2] but got V2",
        "AlertmanagerConfigTLSconfig.golden", "not a valid duration string: \"\"",
        "EnforcedNamespaceLabelPodMonitor_Expected.golden", "relabel configuration for replace action requires 'target_label' value",
        "EnforcedNamespaceLabelServiceMonitor_Expected.golden", "relabel configuration for replace action requires 'target_label' value",
        "RemoteWriteConfig_v2.43.0_ProxyConfig.golden", "expected a list");
    List<Path> rejected = files("rejected");
    assertEquals(reasons.keySet().size(), rejected.size());
    for (Path f : rejected) {
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f), f.toString());
      assertTrue(e.getMessage().contains(reasons.get(f.getFileName().toString())), f + ": " + e.getMessage());
      assertEquals(1, checkConfig(f, new StringWriter()));
    }
  }

  @Test
  void operatorFieldsAreApplied() throws Exception {
    PrometheusConfig am = ConfigLoader.load(DIR.resolve("accepted/AlertmanagerBearerToken.golden"));
    var target = am.alerting().alertmanagers().get(0);
    assertEquals(1, target.kubernetesSdConfigs().size(), "Alertmanagers are discovered through Kubernetes");
    assertEquals(Path.of("/some/file/on/disk"), target.http().authorizationCredentialsFile());
    assertEquals("Bearer", target.http().authorizationType());
    assertEquals(2, target.relabelConfigs().size());
    assertEquals(86_400_000L, am.storage().retentionMillis(), "storage.tsdb.retention.time from the file");
    assertEquals(-1, am.storage().retentionBytes());

    PrometheusConfig sd = ConfigLoader.load(DIR.resolve("accepted/K8SSDConfigGenerationBearerToken.golden"));
    var k8s = sd.scrapeConfigs().get(0).kubernetesSdConfigs().get(0);
    assertEquals("http://example.com", k8s.apiServer().toString(), "a bare api_server host gets client-go's default scheme");
    assertEquals("bearer_token", k8s.http().authorizationCredentials());

    PrometheusConfig limits = ConfigLoader.load(DIR.resolve("accepted/LabelLimits_Limit500_v2.27.0_enforceLimit1000.golden"));
    assertEquals(500, limits.scrapeConfigs().get(0).limits().labelLimit());
    PrometheusConfig body = ConfigLoader.load(DIR.resolve("accepted/BodySizeLimits_enforce1000MB_v2.28.0.golden"));
    assertEquals(1000L << 20, body.scrapeConfigs().get(0).limits().bodySizeLimitBytes());
    PrometheusConfig honor = ConfigLoader.load(DIR.resolve("accepted/HonorTimestampsOverriding.golden"));
    assertEquals(false, honor.scrapeConfigs().get(0).honorTimestamps());
    PrometheusConfig rw = ConfigLoader.load(DIR.resolve("accepted/RemoteWriteConfig_v2.50.0.golden"));
    assertEquals(1000, rw.remoteWrite().get(0).queue().capacity());
  }
}
