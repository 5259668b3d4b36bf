package dev.kiln.scraper.discovery.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
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

  @Test
  void serviceEndpointsJobOfTheContractKeepsAnnotatedServices() throws Exception {
    try (FakeKubeApi api = new FakeKubeApi()) {
      api.put("services", ServiceEndpointsIngressDiscoveryTest.WEB_SERVICE.replace("\"prometheus.io/scrape\": \"true\"",
          "\"prometheus.io/scrape\": \"true\", \"prometheus.io/port\": \"9090\", \"prometheus.io/param_format\": \"prometheus\""));
      api.put("services", """
          {"metadata": {"name": "kubernetes", "namespace": "default"},
           "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}}""");
      api.put("pods", PodNodeDiscoveryTest.WEB_POD);
      api.put("endpoints", ServiceEndpointsIngressDiscoveryTest.WEB_ENDPOINTS);
      api.put("endpoints", """
          {"metadata": {"name": "kubernetes", "namespace": "default"},
           "subsets": [{"addresses": [{"ip": "172.18.0.2"}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}""");
      String yaml = """
          scrape_configs:
            - job_name: kubernetes-apiservers
              scheme: https
              scrape_interval: 1h
              kubernetes_sd_configs: [{role: endpoints, api_server: %1$s}]
              relabel_configs:
                - source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_service_name, __meta_kubernetes_endpoint_port_name]
                  action: keep
                  regex: default;kubernetes;https
            - job_name: kubernetes-service-endpoints
              scrape_interval: 1h
              kubernetes_sd_configs: [{role: endpoints, api_server: %1$s}]
              relabel_configs:
                - source_labels: [__meta_kubernetes_service_annotation_prometheus_io_scrape]
                  action: keep
                  regex: true
                - source_labels: [__meta_kubernetes_service_annotation_prometheus_io_scheme]
                  regex: (https?)
                  target_label: __scheme__
                - source_labels: [__meta_kubernetes_service_annotation_prometheus_io_path]
                  regex: (.+)
                  target_label: __metrics_path__
                - source_labels: [__address__, __meta_kubernetes_service_annotation_prometheus_io_port]
                  regex: (.+?)(?::\\d+)?;(\\d+)
                  replacement: $1:$2
                  target_label: __address__
                - action: labelmap
                  regex: __meta_kubernetes_service_annotation_prometheus_io_param_(.+)
                  replacement: __param_$1
                - action: labelmap
                  regex: __meta_kubernetes_service_label_(.+)
                - source_labels: [__meta_kubernetes_namespace]
                  target_label: namespace
                - source_labels: [__meta_kubernetes_service_name]
                  target_label: service
          """.formatted(api.url());
      PrometheusConfig cfg = ConfigLoader.parse("prometheus.yml", yaml, dir);
      KubeEnvironment env = K8sTesting.env(dir).withCoalesceMillis(100);
      try (ScrapeManager m = new ScrapeManager(new InMemoryStorage(), new JdkHttpFetcher(), Clock.systemUTC(), "Kiln/test", 2, env)) {
        m.apply(cfg);
        List<TargetStatus> apiservers = await(m, "kubernetes-apiservers", l -> l.size() == 1);
        assertEquals("https://172.18.0.2:6443/metrics", apiservers.get(0).scrapeUrl());
        // Every endpoint address of the annotated service, moved to the annotated port; duplicates collapse.
        List<TargetStatus> svc = await(m, "kubernetes-service-endpoints", l -> l.size() == 3);
        assertEquals(List.of("10.1.2.3:9090", "10.1.2.4:9090", "10.1.9.9:9090"),
            svc.stream().map(t -> t.labels().get("instance")).sorted().toList());
        TargetStatus first = svc.stream().filter(t -> t.labels().get("instance").equals("10.1.2.3:9090")).findFirst().orElseThrow();
        assertEquals(Labels.of("app", "web", "instance", "10.1.2.3:9090", "job", "kubernetes-service-endpoints",
            "namespace", "shop", "service", "web"), first.labels());
        assertEquals("http://10.1.2.3:9090/metrics?format=prometheus", first.scrapeUrl());
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
