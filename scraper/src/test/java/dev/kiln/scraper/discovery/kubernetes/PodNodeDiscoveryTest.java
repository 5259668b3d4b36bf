package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.K8sTesting.labels;
import static dev.kiln.scraper.discovery.kubernetes.K8sTesting.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.TargetGroup;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Roles pod and node against a fake API server: exact groups, watch updates and deletes, relists. */
class PodNodeDiscoveryTest extends FakeApiDiscoveryTestBase {
  static final String WEB_POD = """
      {"metadata": {"name": "web-7d9f-abc12", "namespace": "shop", "uid": "5b0e7c1a-1111-4e2f-9c1d-0a1b2c3d4e5f",
         "labels": {"app.kubernetes.io/name": "web", "pod-template-hash": "7d9f", "empty": ""},
         "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
         "ownerReferences": [
           {"apiVersion": "v1", "kind": "Node", "name": "ignored-not-controller"},
           {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f", "controller": true}]},
       "spec": {"nodeName": "worker-1",
         "initContainers": [{"name": "migrate", "image": "shop/migrate:2",
           "ports": [{"name": "init-metrics", "containerPort": 5000, "protocol": "TCP"}]}],
         "containers": [
           {"name": "web", "image": "shop/web:1.4", "ports": [
             {"name": "http", "containerPort": 8080, "protocol": "TCP"},
             {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
             {"containerPort": 5353, "protocol": "UDP"}]},
           {"name": "proxy", "image": "envoyproxy/envoy:v1.30"}]},
       "status": {"phase": "Running", "podIP": "10.1.2.3", "hostIP": "192.168.1.10",
         "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
         "containerStatuses": [{"name": "web", "containerID": "containerd://aaa111"},
                               {"name": "proxy", "containerID": "containerd://bbb222"}],
         "initContainerStatuses": [{"name": "migrate", "containerID": "containerd://ccc333"}]}}
      """;

  static Map<String, String> webPodLabels() {
    Map<String, String> m = labels(
        "__meta_kubernetes_namespace", "shop",
        "__meta_kubernetes_pod_name", "web-7d9f-abc12",
        "__meta_kubernetes_pod_ip", "10.1.2.3",
        "__meta_kubernetes_pod_ready", "true",
        "__meta_kubernetes_pod_phase", "Running",
        "__meta_kubernetes_pod_node_name", "worker-1",
        "__meta_kubernetes_pod_host_ip", "192.168.1.10",
        "__meta_kubernetes_pod_uid", "5b0e7c1a-1111-4e2f-9c1d-0a1b2c3d4e5f",
        "__meta_kubernetes_pod_label_app_kubernetes_io_name", "web",
        "__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name", "true",
        "__meta_kubernetes_pod_label_pod_template_hash", "7d9f",
        "__meta_kubernetes_pod_labelpresent_pod_template_hash", "true",
        "__meta_kubernetes_pod_labelpresent_empty", "true",
        "__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true",
        "__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape", "true",
        "__meta_kubernetes_pod_annotation_prometheus_io_port", "8080",
        "__meta_kubernetes_pod_annotationpresent_prometheus_io_port", "true",
        "__meta_kubernetes_pod_controller_kind", "ReplicaSet",
        "__meta_kubernetes_pod_controller_name", "web-7d9f");
    return m;
  }

  static List<Map<String, String>> webPodTargets() {
    return List.of(
        labels("__address__", "10.1.2.3:8080",
            "__meta_kubernetes_pod_container_name", "web",
            "__meta_kubernetes_pod_container_id", "containerd://aaa111",
            "__meta_kubernetes_pod_container_image", "shop/web:1.4",
            "__meta_kubernetes_pod_container_port_name", "http",
            "__meta_kubernetes_pod_container_port_number", "8080",
            "__meta_kubernetes_pod_container_port_protocol", "TCP",
            "__meta_kubernetes_pod_container_init", "false"),
        labels("__address__", "10.1.2.3:9090",
            "__meta_kubernetes_pod_container_name", "web",
            "__meta_kubernetes_pod_container_id", "containerd://aaa111",
            "__meta_kubernetes_pod_container_image", "shop/web:1.4",
            "__meta_kubernetes_pod_container_port_name", "metrics",
            "__meta_kubernetes_pod_container_port_number", "9090",
            "__meta_kubernetes_pod_container_port_protocol", "TCP",
            "__meta_kubernetes_pod_container_init", "false"),
        labels("__address__", "10.1.2.3:5353",
            "__meta_kubernetes_pod_container_name", "web",
            "__meta_kubernetes_pod_container_id", "containerd://aaa111",
            "__meta_kubernetes_pod_container_image", "shop/web:1.4",
            "__meta_kubernetes_pod_container_port_number", "5353",
            "__meta_kubernetes_pod_container_port_protocol", "UDP",
            "__meta_kubernetes_pod_container_init", "false"),
        labels("__address__", "10.1.2.3",
            "__meta_kubernetes_pod_container_name", "proxy",
            "__meta_kubernetes_pod_container_id", "containerd://bbb222",
            "__meta_kubernetes_pod_container_image", "envoyproxy/envoy:v1.30",
            "__meta_kubernetes_pod_container_init", "false"),
        labels("__address__", "10.1.2.3:5000",
            "__meta_kubernetes_pod_container_name", "migrate",
            "__meta_kubernetes_pod_container_id", "containerd://ccc333",
            "__meta_kubernetes_pod_container_image", "shop/migrate:2",
            "__meta_kubernetes_pod_container_port_name", "init-metrics",
            "__meta_kubernetes_pod_container_port_number", "5000",
            "__meta_kubernetes_pod_container_port_protocol", "TCP",
            "__meta_kubernetes_pod_container_init", "true"));
  }

  @Test
  void podGroupHasPrometheusLabelsForEveryContainerPortAndInitContainer() throws Exception {
    api.put("pods", WEB_POD);
    K8sTesting.Collector c = start("        role: pod\n");
    TargetGroup g = c.awaitGroup("pod/shop/web-7d9f-abc12");
    assertEquals(webPodLabels(), new TreeMap<>(g.labels()));
    assertEquals(webPodTargets(), targets(g));
  }

  @Test
  void pendingPodWithoutIpGivesAnEmptyGroupAndUnknownReadiness() throws Exception {
    api.put("pods", """
        {"metadata": {"name": "pending", "namespace": "shop"},
         "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}]}]},
         "status": {"phase": "Pending"}}""");
    api.put("pods", """
        {"metadata": {"name": "starting", "namespace": "shop"},
         "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}]}]},
         "status": {"phase": "Pending", "podIP": "fd00::5"}}""");
    K8sTesting.Collector c = start("        role: pod\n");
    Map<String, TargetGroup> m = c.await(x -> x.containsKey("pod/shop/starting"));
    assertTrue(m.get("pod/shop/pending").targets().isEmpty());
    assertTrue(m.get("pod/shop/pending").labels().isEmpty());
    TargetGroup s = m.get("pod/shop/starting");
    assertEquals("unknown", s.labels().get("__meta_kubernetes_pod_ready"));
    assertEquals(List.of("[fd00::5]:80"), s.targets());
  }

  @Test
  void watchAddsUpdatesAndDeletesPods() throws Exception {
    api.put("pods", WEB_POD);
    K8sTesting.Collector c = start("        role: pod\n");
    c.awaitGroup("pod/shop/web-7d9f-abc12");

    api.put("pods", WEB_POD.replace("web-7d9f-abc12", "web-7d9f-xyz99").replace("10.1.2.3", "10.1.2.4"));
    TargetGroup added = c.awaitGroup("pod/shop/web-7d9f-xyz99");
    assertEquals("10.1.2.4:8080", added.targets().get(0));

    api.put("pods", WEB_POD.replace("\"status\": \"True\"}]", "\"status\": \"False\"}]"));
    Map<String, TargetGroup> m = c.await(x -> "false".equals(
        x.getOrDefault("pod/shop/web-7d9f-abc12", added).labels().get("__meta_kubernetes_pod_ready")));
    assertEquals(2, m.size());

    api.delete("pods", "shop", "web-7d9f-xyz99");
    m = c.await(x -> x.containsKey("pod/shop/web-7d9f-xyz99") && x.get("pod/shop/web-7d9f-xyz99").targets().isEmpty());
    assertTrue(m.get("pod/shop/web-7d9f-xyz99").labels().isEmpty(), "a deleted object's group is handed over empty");
    api.put("pods", WEB_POD.replace("web-7d9f-abc12", "other").replace("10.1.2.3", "10.1.2.9"));
    m = c.await(x -> x.containsKey("pod/shop/other"));
    assertFalse(m.containsKey("pod/shop/web-7d9f-xyz99"), "the empty group is handed over once, then forgotten");
  }

  @Test
  void relistsAfter410GoneAndSeesChangesMissedByTheWatch() throws Exception {
    api.put("pods", WEB_POD);
    K8sTesting.Collector c = start("        role: pod\n");
    c.awaitGroup("pod/shop/web-7d9f-abc12");
    api.awaitWatches(1);
    int listsBefore = countLists("/api/v1/pods");

    // The pod changes while no watch sees it, then its watch history expires.
    api.putSilently("pods", WEB_POD.replace("10.1.2.3", "10.9.9.9"));
    api.expireHistory();
    api.closeWatches();
    TargetGroup g = c.await(x -> x.containsKey("pod/shop/web-7d9f-abc12")
        && x.get("pod/shop/web-7d9f-abc12").targets().get(0).startsWith("10.9.9.9")).get("pod/shop/web-7d9f-abc12");
    assertEquals("10.9.9.9:8080", g.targets().get(0));
    assertTrue(countLists("/api/v1/pods") > listsBefore, "410 Gone leads to a new list");
  }

  @Test
  void relistsAfterAWatchErrorEvent410AndDropsObjectsThatVanished() throws Exception {
    api.put("pods", WEB_POD);
    api.put("pods", WEB_POD.replace("web-7d9f-abc12", "gone-soon"));
    K8sTesting.Collector c = start("        role: pod\n");
    c.await(x -> x.containsKey("pod/shop/gone-soon") && x.containsKey("pod/shop/web-7d9f-abc12"));
    api.awaitWatches(1);
    api.expireHistory();
    api.delete("pods", "shop", "gone-soon");
    // The server tells the watch its version expired; the deletion is only seen by the new list.
    api.sendWatchError(410, "Expired", "too old resource version");
    Map<String, TargetGroup> m = c.await(x -> x.containsKey("pod/shop/gone-soon") && x.get("pod/shop/gone-soon").targets().isEmpty());
    assertEquals(5, m.get("pod/shop/web-7d9f-abc12").targets().size());
  }

  @Test
  void rewatchesFromTheLastResourceVersionWhenTheStreamEnds() throws Exception {
    api.put("pods", WEB_POD);
    K8sTesting.Collector c = start("        role: pod\n");
    c.awaitGroup("pod/shop/web-7d9f-abc12");
    api.awaitWatches(1);
    api.sendBookmark();
    api.closeWatches();
    api.put("pods", WEB_POD.replace("web-7d9f-abc12", "after-rewatch"));
    c.awaitGroup("pod/shop/after-rewatch");
    List<FakeKubeApi.Request> watches = api.requests("/api/v1/pods").stream()
        .filter(r -> "true".equals(r.query().get("watch"))).toList();
    assertTrue(watches.size() >= 2);
    FakeKubeApi.Request first = watches.get(0);
    assertEquals("true", first.query().get("allowWatchBookmarks"));
    long timeout = Long.parseLong(first.query().get("timeoutSeconds"));
    assertTrue(timeout >= 300 && timeout <= 600, "timeoutSeconds " + timeout);
    assertEquals(1, countLists("/api/v1/pods"), "a stream that simply ends is watched again without listing");
  }

  @Test
  void backsOffAndListsAgainAfterServerErrorsKeepingNoStaleState() throws Exception {
    api.failNext(3, 500);
    api.put("pods", WEB_POD);
    K8sTesting.Collector c = start("        role: pod\n");
    c.awaitGroup("pod/shop/web-7d9f-abc12");
    assertTrue(api.requests("/api/v1/pods").size() >= 4);
  }

  @Test
  void listsPageByPageFollowingContinue() throws Exception {
    api.pageSize(2);
    for (int i = 0; i < 5; i++) {
      api.put("pods", WEB_POD.replace("web-7d9f-abc12", "p" + i));
    }
    K8sTesting.Collector c = start("        role: pod\n");
    Map<String, TargetGroup> m = c.await(x -> x.size() == 5);
    assertEquals(5, m.size());
    List<FakeKubeApi.Request> lists = api.requests("/api/v1/pods").stream()
        .filter(r -> r.query().get("watch") == null).toList();
    assertEquals(3, lists.size());
    assertEquals("500", lists.get(0).query().get("limit"));
    assertEquals("2", lists.get(1).query().get("continue"));
  }

  @Test
  void namespacesAndSelectorsShapeTheRequests() throws Exception {
    api.put("pods", WEB_POD);
    api.put("pods", WEB_POD.replace("\"namespace\": \"shop\"", "\"namespace\": \"other\""));
    K8sTesting.Collector c = start("""
                role: pod
                namespaces: {names: [shop, monitoring]}
                selectors:
                  - role: pod
                    label: "app.kubernetes.io/name=web,tier in (front, back)"
                    field: "spec.nodeName=worker-1"
        """);
    Map<String, TargetGroup> m = c.await(x -> x.containsKey("pod/shop/web-7d9f-abc12"));
    assertEquals(1, m.size(), "only the configured namespaces are watched");
    for (String path : List.of("/api/v1/namespaces/shop/pods", "/api/v1/namespaces/monitoring/pods")) {
      FakeKubeApi.Request list = api.requests(path).get(0);
      assertEquals("app.kubernetes.io/name=web,tier in (front, back)", list.query().get("labelSelector"));
      assertEquals("spec.nodeName=worker-1", list.query().get("fieldSelector"));
    }
    assertTrue(api.requests("/api/v1/pods").isEmpty());
  }

  @Test
  void attachesNodeAndNamespaceMetadataAndFollowsTheirChanges() throws Exception {
    api.put("pods", WEB_POD);
    api.put("nodes", """
        {"metadata": {"name": "worker-1", "labels": {"topology.kubernetes.io/zone": "eu-1a"},
          "annotations": {"node.alpha.kubernetes.io/ttl": "0"}}}""");
    api.put("namespaces", """
        {"metadata": {"name": "shop", "labels": {"team": "checkout"}, "annotations": {"owner": "ann"}}}""");
    K8sTesting.Collector c = start("        role: pod\n        attach_metadata: {node: true, namespace: true}\n");
    TargetGroup g = c.awaitGroup("pod/shop/web-7d9f-abc12");
    Map<String, String> want = webPodLabels();
    want.putAll(labels(
        "__meta_kubernetes_node_name", "worker-1",
        "__meta_kubernetes_node_label_topology_kubernetes_io_zone", "eu-1a",
        "__meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone", "true",
        "__meta_kubernetes_node_annotation_node_alpha_kubernetes_io_ttl", "0",
        "__meta_kubernetes_node_annotationpresent_node_alpha_kubernetes_io_ttl", "true",
        "__meta_kubernetes_namespace_label_team", "checkout",
        "__meta_kubernetes_namespace_labelpresent_team", "true",
        "__meta_kubernetes_namespace_annotation_owner", "ann",
        "__meta_kubernetes_namespace_annotationpresent_owner", "true"));
    assertEquals(want, new TreeMap<>(g.labels()));

    api.put("nodes", """
        {"metadata": {"name": "worker-1", "labels": {"topology.kubernetes.io/zone": "eu-1b"}}}""");
    c.await(x -> "eu-1b".equals(x.get("pod/shop/web-7d9f-abc12").labels().get("__meta_kubernetes_node_label_topology_kubernetes_io_zone")));
    api.put("namespaces", """
        {"metadata": {"name": "shop", "labels": {"team": "payments"}}}""");
    c.await(x -> "payments".equals(x.get("pod/shop/web-7d9f-abc12").labels().get("__meta_kubernetes_namespace_label_team")));
  }

  @Test
  void attachesDeploymentJobAndCronJobNames() throws Exception {
    api.put("pods", WEB_POD);
    api.put("replicasets", """
        {"metadata": {"name": "web-7d9f", "namespace": "shop",
          "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}}""");
    api.put("pods", """
        {"metadata": {"name": "report-2891-x", "namespace": "shop",
          "ownerReferences": [{"kind": "Job", "name": "report-2891", "controller": true}]},
         "spec": {"containers": [{"name": "r", "image": "report"}]},
         "status": {"phase": "Succeeded", "podIP": "10.1.2.50"}}""");
    api.put("jobs", """
        {"metadata": {"name": "report-2891", "namespace": "shop",
          "ownerReferences": [{"kind": "CronJob", "name": "report", "controller": true}]}}""");
    K8sTesting.Collector c = start("        role: pod\n        attach_metadata: {deployment: true, job: true, cronjob: true}\n");
    Map<String, TargetGroup> m = c.await(x -> x.containsKey("pod/shop/report-2891-x") && x.containsKey("pod/shop/web-7d9f-abc12"));
    assertEquals("web", m.get("pod/shop/web-7d9f-abc12").labels().get("__meta_kubernetes_pod_deployment_name"));
    Map<String, String> job = m.get("pod/shop/report-2891-x").labels();
    assertEquals("report-2891", job.get("__meta_kubernetes_pod_job_name"));
    assertEquals("report", job.get("__meta_kubernetes_pod_cronjob_name"));
    assertEquals("Succeeded", job.get("__meta_kubernetes_pod_phase"), "completed pods stay discoverable");

    api.put("replicasets", """
        {"metadata": {"name": "web-7d9f", "namespace": "shop",
          "ownerReferences": [{"kind": "Deployment", "name": "web-renamed", "controller": true}]}}""");
    c.await(x -> "web-renamed".equals(x.get("pod/shop/web-7d9f-abc12").labels().get("__meta_kubernetes_pod_deployment_name")));
  }

  static final String NODE = """
      {"metadata": {"name": "worker-1", "labels": {"kubernetes.io/hostname": "worker-1", "node-role.kubernetes.io/worker": ""},
        "annotations": {"volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
       "spec": {"providerID": "aws:///eu-west-1a/i-0abc"},
       "status": {"addresses": [
           {"type": "Hostname", "address": "worker-1"},
           {"type": "ExternalIP", "address": "203.0.113.7"},
           {"type": "InternalIP", "address": "192.168.1.10"},
           {"type": "InternalIP", "address": "192.168.1.11"}],
         "conditions": [{"type": "Ready", "status": "True"}, {"type": "MemoryPressure", "status": "False"},
                        {"type": "NetworkUnavailable", "status": "Unknown"}],
         "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}}
      """;

  @Test
  void nodeGroupHasAddressLabelsConditionsAndInstance() throws Exception {
    api.put("nodes", NODE);
    api.put("nodes", """
        {"metadata": {"name": "dns-only"}, "status": {"addresses": [{"type": "Hostname", "address": "dns-only.internal"}],
          "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}}""");
    api.put("nodes", """
        {"metadata": {"name": "no-address"}, "status": {"daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}}""");
    K8sTesting.Collector c = start("        role: node\n        namespaces: {names: [ignored]}\n");
    Map<String, TargetGroup> m = c.await(x -> x.containsKey("node/worker-1") && x.containsKey("node/dns-only"));
    TargetGroup g = m.get("node/worker-1");
    assertEquals(labels(
        "__meta_kubernetes_node_name", "worker-1",
        "__meta_kubernetes_node_provider_id", "aws:///eu-west-1a/i-0abc",
        "__meta_kubernetes_node_label_kubernetes_io_hostname", "worker-1",
        "__meta_kubernetes_node_labelpresent_kubernetes_io_hostname", "true",
        "__meta_kubernetes_node_labelpresent_node_role_kubernetes_io_worker", "true",
        "__meta_kubernetes_node_annotation_volumes_kubernetes_io_controller_managed_attach_detach", "true",
        "__meta_kubernetes_node_annotationpresent_volumes_kubernetes_io_controller_managed_attach_detach", "true",
        "__meta_kubernetes_node_condition_ready", "true",
        "__meta_kubernetes_node_condition_memorypressure", "false",
        "__meta_kubernetes_node_condition_networkunavailable", "unknown"), new TreeMap<>(g.labels()));
    assertEquals(List.of(labels(
        "__address__", "192.168.1.10:10250",
        "instance", "worker-1",
        "__meta_kubernetes_node_address_Hostname", "worker-1",
        "__meta_kubernetes_node_address_ExternalIP", "203.0.113.7",
        "__meta_kubernetes_node_address_InternalIP", "192.168.1.10")), targets(g));
    assertEquals(List.of("dns-only.internal:10250"), m.get("node/dns-only").targets());
    assertFalse(m.containsKey("node/no-address"), "a node without address yields no group");
    assertFalse(api.requests("/api/v1/nodes").isEmpty(), "nodes are cluster-scoped: namespaces are ignored");
    api.awaitWatches(1);

    api.delete("nodes", null, "worker-1");
    c.await(x -> x.containsKey("node/worker-1") && x.get("node/worker-1").targets().isEmpty());
  }

  private int countLists(String path) {
    return (int) api.requests(path).stream().filter(r -> r.query().get("watch") == null).count();
  }
}
