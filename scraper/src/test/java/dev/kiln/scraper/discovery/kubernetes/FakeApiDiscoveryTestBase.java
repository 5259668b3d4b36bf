package dev.kiln.scraper.discovery.kubernetes;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fake API server per test and a discoverer pointed at it with {@code api_server}. */
abstract class FakeApiDiscoveryTestBase {
  @TempDir Path dir;
  FakeKubeApi api;
  ScheduledExecutorService scheduler;
  KubernetesDiscoverer discoverer;

  @BeforeEach
  void startApi() throws Exception {
    api = new FakeKubeApi();
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void stopApi() {
    if (discoverer != null) {
      discoverer.close();
    }
    scheduler.shutdownNow();
    api.close();
  }

  /** Starts a discoverer for {@code api_server: <fake>} plus {@code extraYaml} (indented 8). */
  K8sTesting.Collector start(String extraYaml) {
    String yaml = "      - api_server: " + api.url() + "\n" + extraYaml;
    discoverer = new KubernetesDiscoverer(K8sTesting.config(yaml, dir), K8sTesting.env(dir), scheduler);
    K8sTesting.Collector c = new K8sTesting.Collector();
    discoverer.start(c);
    return c;
  }
}
