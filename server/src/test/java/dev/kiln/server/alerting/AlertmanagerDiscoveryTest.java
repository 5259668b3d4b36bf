package dev.kiln.server.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.AlertingConfig;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.discovery.Discoverer;
import dev.kiln.tsdb.model.Labels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Alertmanager targets follow their discoverers (Kubernetes endpoints as the Operator configures
 * them) through relabeling, and a reload closes the old discoverers.
 */
class AlertmanagerDiscoveryTest {
  /** A discoverer the test pushes groups through. */
  static final class Pushed implements Discoverer {
    Consumer<List<TargetGroup>> listener;
    boolean closed;

    @Override
    public void start(Consumer<List<TargetGroup>> l) {
      listener = l;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static TargetGroup endpoint(String address, String service, String port) {
    // As the endpoints role groups them: service labels on the group, port labels per target.
    return new TargetGroup(List.of(address), Map.of("__meta_kubernetes_service_name", service), "endpoints/monitoring/x",
        List.of(Map.of("__meta_kubernetes_endpoint_port_name", port)));
  }

  @Test
  void kubernetesDiscoveredAlertmanagersAreRelabeledAndFollowUpdates() throws Exception {
    AlertingConfig cfg = ConfigLoader.parse("p.yml", """
        alerting:
          alertmanagers:
          - path_prefix: /am
            scheme: http
            kubernetes_sd_configs:
            - role: endpoints
              api_server: https://kube.example:6443
              namespaces: {names: [monitoring]}
            api_version: v2
            relabel_configs:
            - action: keep
              source_labels: [__meta_kubernetes_service_name]
              regex: alertmanager-main
            - action: keep
              source_labels: [__meta_kubernetes_endpoint_port_name]
              regex: web
        """, Path.of(".")).alerting();
    assertEquals(1, cfg.alertmanagers().get(0).kubernetesSdConfigs().size());
    List<Pushed> made = new ArrayList<>();
    try (AlertmanagerNotifier n = new AlertmanagerNotifier(Labels.EMPTY, "http://kiln", "Kiln/test")) {
      n.apply(cfg, am -> {
        Pushed p = new Pushed();
        made.add(p);
        return List.of(p);
      });
      assertTrue(n.targets().isEmpty());
      made.get(0).listener.accept(List.of(endpoint("10.0.0.1:9093", "alertmanager-main", "web"),
          endpoint("10.0.0.1:8080", "alertmanager-main", "reloader-web"), endpoint("10.0.0.9:9093", "other", "web")));
      assertEquals(List.of("http://10.0.0.1:9093/am/api/v2/alerts"), n.targets().stream().map(t -> t.url().toString()).toList());
      made.get(0).listener.accept(List.of(endpoint("10.0.0.1:9093", "alertmanager-main", "web"),
          endpoint("10.0.0.2:9093", "alertmanager-main", "web")));
      assertEquals(2, n.targets().size(), "a second replica discovered");

      n.apply(cfg, am -> {
        Pushed p = new Pushed();
        made.add(p);
        return List.of(p);
      });
      assertTrue(made.get(0).closed, "reload closes the previous discoverer");
      made.get(0).listener.accept(List.of(endpoint("10.0.0.3:9093", "alertmanager-main", "web")));
      assertTrue(n.targets().isEmpty(), "updates from a closed discoverer are ignored");
    }
    assertTrue(made.get(1).closed, "close stops discovery");
  }
}
