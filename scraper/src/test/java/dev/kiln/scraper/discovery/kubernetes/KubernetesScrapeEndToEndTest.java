package dev.kiln.scraper.discovery.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.scraper.config.ConfigLoader;
import dev.kiln.scraper.config.PrometheusConfig;
import dev.kiln.scraper.scrape.JdkHttpFetcher;
import dev.kiln.scraper.scrape.ScrapeManager;
import dev.kiln.scraper.scrape.TargetStatus;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prometheus.yml with Kubernetes jobs in the style of the community Helm charts, against the
 * fake API server, checked through the scraper's target lists.
 */
class KubernetesScrapeEndToEndTest {
  @TempDir Path dir;

  private static final String CONFIG = """
      scrape_configs:
        - job_name: kubernetes-pods
          scrape_interval: 1h
          kubernetes_sd_configs:
            - role: pod
              api_server: %1$s
          relabel_configs:
            - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
              action: keep
              regex: true
            - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
              action: replace
              target_label: __metrics_path__
              regex: (.+)
            - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
              action: replace
              regex: (.+?)(?::\\d+)?;(\\d+)
              replacement: $1:$2
              target_label: __address__
            - action: labelmap
              regex: __meta_kubernetes_pod_label_(.+)
            - source_labels: [__meta_kubernetes_namespace]
              action: replace
              target_label: namespace
            - source_labels: [__meta_kubernetes_pod_name]
              action: replace
              target_label: pod
            - source_labels: [__meta_kubernetes_pod_phase]
              regex: Pending|Succeeded|Failed|Completed
              action: drop
            - source_labels: [__meta_kubernetes_pod_node_name]
              action: replace
              target_label: node
        - job_name: kubernetes-pods-by-container
          scrape_interval: 1h
          kubernetes_sd_configs:
            - role: pod
              api_server: %1$s
          relabel_configs:
            - source_labels: [__meta_kubernetes_pod_container_port_name]
              action: keep
              regex: metrics
        - job_name: kubernetes-nodes
          scrape_interval: 1h
          scheme: https
          kubernetes_sd_configs:
            - role: node
              api_server: %1$s
          relabel_configs:
            - action: labelmap
              regex: __meta_kubernetes_node_label_(.+)
      """;

  @Test
  void podAndNodeJobsFollowTheClusterThroughRelabeling() throws Exception {
    try (FakeKubeApi api = new FakeKubeApi()) {
      api.put("pods", PodNodeDiscoveryTest.WEB_POD.replace("\"prometheus.io/port\": \"8080\"",
          "\"prometheus.io/port\": \"9102\", \"prometheus.io/path\": \"/stats/prometheus\""));
      api.put("pods", """
          {"metadata": {"name": "db-0", "namespace": "shop", "labels": {"app": "db"}},
           "spec": {"nodeName": "worker-2", "containers": [{"name": "pg", "image": "postgres:16",
             "ports": [{"name": "metrics", "containerPort": 9187, "protocol": "TCP"}]}]},
           "status": {"phase": "Running", "podIP": "10.1.3.7"}}""");
      api.put("pods", """
          {"metadata": {"name": "migrate-x", "namespace": "shop", "annotations": {"prometheus.io/scrape": "true"}},
           "spec": {"containers": [{"name": "m", "image": "m"}]},
           "status": {"phase": "Succeeded", "podIP": "10.1.3.8"}}""");
      api.put("nodes", PodNodeDiscoveryTest.NODE);
      PrometheusConfig cfg = ConfigLoader.parse("prometheus.yml", CONFIG.formatted(api.url()), dir);
      KubeEnvironment env = K8sTesting.env(dir).withCoalesceMillis(100);
      try (ScrapeManager m = new ScrapeManager(new InMemoryStorage(), new JdkHttpFetcher(), Clock.systemUTC(), "Kiln/test", 2, env)) {
        m.apply(cfg);
        List<TargetStatus> pods = await(m, "kubernetes-pods", l -> l.size() == 1);
        TargetStatus web = pods.get(0);
        assertEquals(Labels.of(
            "app_kubernetes_io_name", "web",
            "instance", "10.1.2.3:9102",
            "job", "kubernetes-pods",
            "namespace", "shop",
            "node", "worker-1",
            "pod", "web-7d9f-abc12",
            "pod_template_hash", "7d9f"), web.labels());
        assertEquals("http://10.1.2.3:9102/stats/prometheus", web.scrapeUrl());
        assertEquals("10.1.2.3:8080", web.discoveredLabels().get("__address__"));
        assertEquals("web", web.discoveredLabels().get("__meta_kubernetes_pod_label_app_kubernetes_io_name"));
        assertTrue(m.droppedTargets().stream().anyMatch(d -> "db-0".equals(d.discoveredLabels().get("__meta_kubernetes_pod_name"))));
        assertTrue(m.droppedTargets().stream().anyMatch(d -> "migrate-x".equals(d.discoveredLabels().get("__meta_kubernetes_pod_name"))),
            "completed pods are dropped by phase in relabeling");

        List<TargetStatus> byContainer = await(m, "kubernetes-pods-by-container", l -> l.size() == 2);
        assertEquals(List.of("10.1.2.3:9090", "10.1.3.7:9187"),
            byContainer.stream().map(t -> t.labels().get("instance")).sorted().toList());

        List<TargetStatus> nodes = await(m, "kubernetes-nodes", l -> l.size() == 1);
        assertEquals(Labels.of("instance", "worker-1", "job", "kubernetes-nodes", "kubernetes_io_hostname", "worker-1"),
            nodes.get(0).labels());
        assertEquals("https://192.168.1.10:10250/metrics", nodes.get(0).scrapeUrl());
        assertEquals(1, api.requests("/api/v1/pods").stream().filter(r -> r.query().get("watch") == null).count(),
            "two jobs with the same kubernetes_sd_config share one list/watch");

        // Changes arrive through the watch.
        api.delete("pods", "shop", "web-7d9f-abc12");
        api.put("pods", """
            {"metadata": {"name": "db-0", "namespace": "shop", "labels": {"app": "db"},
               "annotations": {"prometheus.io/scrape": "true"}},
             "spec": {"nodeName": "worker-2", "containers": [{"name": "pg", "image": "postgres:16",
               "ports": [{"name": "metrics", "containerPort": 9187, "protocol": "TCP"}]}]},
             "status": {"phase": "Running", "podIP": "10.1.3.7"}}""");
        pods = await(m, "kubernetes-pods", l -> l.size() == 1 && "db-0".equals(l.get(0).labels().get("pod")));
        assertEquals("10.1.3.7:9187", pods.get(0).labels().get("instance"));
        assertEquals("db", pods.get(0).labels().get("app"));
        await(m, "kubernetes-pods-by-container", l -> l.size() == 1);

        // A reload with the same Kubernetes settings keeps the running watch.
        m.apply(ConfigLoader.parse("prometheus.yml", CONFIG.formatted(api.url()), dir));
        await(m, "kubernetes-pods", l -> l.size() == 1);
        assertEquals(1, api.requests("/api/v1/pods").stream().filter(r -> r.query().get("watch") == null).count(),
            "a reload re-uses the watcher of an unchanged kubernetes_sd_config");
      }
    }
  }

  private static List<TargetStatus> await(ScrapeManager m, String job, Predicate<List<TargetStatus>> p)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      List<TargetStatus> l = m.activeTargets().stream().filter(t -> t.scrapePool().equals(job)).toList();
      if (p.test(l)) {
        return l;
      }
      if (System.nanoTime() > deadline) {
        fail("targets of " + job + " never matched: " + l.stream().map(TargetStatus::labels).toList());
      }
      Thread.sleep(20);
    }
  }
}
