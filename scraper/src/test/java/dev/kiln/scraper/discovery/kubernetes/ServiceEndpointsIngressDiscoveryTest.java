package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.K8sTesting.labels;
import static dev.kiln.scraper.discovery.kubernetes.K8sTesting.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.TargetGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Roles service, endpoints, endpointslice and ingress against a fake API server. */
class ServiceEndpointsIngressDiscoveryTest extends FakeApiDiscoveryTestBase {
  static final String WEB_SERVICE = """
      {"metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"},
         "annotations": {"prometheus.io/scrape": "true"}},
       "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.20", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
         "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                   {"name": "metrics", "port": 9090, "protocol": "TCP"}]}}
      """;

  static final String WEB_ENDPOINTS = """
      {"metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
       "subsets": [{
         "addresses": [
           {"ip": "10.1.2.3", "nodeName": "worker-1", "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d9f-abc12"}},
           {"ip": "10.1.9.9", "hostname": "legacy-vm"}],
         "notReadyAddresses": [
           {"ip": "10.1.2.4", "nodeName": "worker-2", "targetRef": {"kind": "Pod", "namespace": "shop", "name": "not-cached"}}],
         "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]}
      """;

  static final String WEB_SLICE = """
      {"metadata": {"name": "web-x7k2p", "namespace": "shop",
         "labels": {"kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
       "addressType": "IPv4",
       "endpoints": [
         {"addresses": ["10.1.2.3"], "conditions": {"ready": true, "serving": true, "terminating": false},
          "nodeName": "worker-1", "zone": "eu-1a", "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d9f-abc12"}},
         {"addresses": ["10.1.9.9"], "conditions": {"ready": false}, "hostname": "legacy-vm",
          "deprecatedTopology": {"kubernetes.io/hostname": "worker-2"}}],
       "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "appProtocol": "http"}]}
      """;

  private static Map<String, String> serviceGroupLabels() {
    return labels(
        "__meta_kubernetes_namespace", "shop",
        "__meta_kubernetes_service_name", "web",
        "__meta_kubernetes_service_label_app", "web",
        "__meta_kubernetes_service_labelpresent_app", "true",
        "__meta_kubernetes_service_annotation_prometheus_io_scrape", "true",
        "__meta_kubernetes_service_annotationpresent_prometheus_io_scrape", "true");
  }

  /** The web pod's labels as endpoint targets carry them (no namespace: that is a group label). */
  private static Map<String, String> podLabels() {
    Map<String, String> m = PodNodeDiscoveryTest.webPodLabels();
    m.remove("__meta_kubernetes_namespace");
    return m;
  }

  private static Map<String, String> with(Map<String, String> base, String... kv) {
    Map<String, String> m = new TreeMap<>(base);
    m.putAll(labels(kv));
    return m;
  }

  /** The web pod's container ports that no endpoint port covers, as extra targets. */
  private static List<Map<String, String>> extraPodTargets() {
    List<Map<String, String>> out = new ArrayList<>();
    out.add(with(podLabels(), "__address__", "10.1.2.3:9090",
        "__meta_kubernetes_pod_container_name", "web", "__meta_kubernetes_pod_container_image", "shop/web:1.4",
        "__meta_kubernetes_pod_container_port_name", "metrics", "__meta_kubernetes_pod_container_port_number", "9090",
        "__meta_kubernetes_pod_container_port_protocol", "TCP", "__meta_kubernetes_pod_container_init", "false"));
    out.add(with(podLabels(), "__address__", "10.1.2.3:5353",
        "__meta_kubernetes_pod_container_name", "web", "__meta_kubernetes_pod_container_image", "shop/web:1.4",
        "__meta_kubernetes_pod_container_port_number", "5353",
        "__meta_kubernetes_pod_container_port_protocol", "UDP", "__meta_kubernetes_pod_container_init", "false"));
    out.add(with(podLabels(), "__address__", "10.1.2.3:5000",
        "__meta_kubernetes_pod_container_name", "migrate", "__meta_kubernetes_pod_container_image", "shop/migrate:2",
        "__meta_kubernetes_pod_container_port_name", "init-metrics", "__meta_kubernetes_pod_container_port_number", "5000",
        "__meta_kubernetes_pod_container_port_protocol", "TCP", "__meta_kubernetes_pod_container_init", "true"));
    return out;
  }

  @Test
  void serviceGroupHasOneTargetPerPortAndTypeSpecificLabels() throws Exception {
    api.put("services", WEB_SERVICE);
    api.put("services", """
        {"metadata": {"name": "edge", "namespace": "ingress"},
         "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.30", "loadBalancerIP": "198.51.100.1",
           "ports": [{"name": "https", "port": 443, "protocol": "TCP", "nodePort": 31443}]},
         "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}, {"hostname": "lb.example"}, {"ip": "203.0.113.11"}]}}}""");
    api.put("services", """
        {"metadata": {"name": "old-lb", "namespace": "ingress"},
         "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.31", "loadBalancerIP": "198.51.100.1",
           "ports": [{"port": 80, "protocol": "TCP"}]}}""");
    api.put("services", """
        {"metadata": {"name": "db", "namespace": "shop"},
         "spec": {"type": "ExternalName", "externalName": "db.example.com", "ports": [{"port": 5432, "protocol": "TCP"}]}}""");
    K8sTesting.Collector c = start("        role: service\n");
    Map<String, TargetGroup> m = c.await(x -> x.size() == 4);

    TargetGroup web = m.get("svc/shop/web");
    assertEquals(serviceGroupLabels(), new TreeMap<>(web.labels()));
    assertEquals(List.of(
        labels("__address__", "web.shop.svc:80", "__meta_kubernetes_service_port_name", "http",
            "__meta_kubernetes_service_port_number", "80", "__meta_kubernetes_service_port_protocol", "TCP",
            "__meta_kubernetes_service_type", "ClusterIP", "__meta_kubernetes_service_cluster_ip", "10.96.0.20"),
        labels("__address__", "web.shop.svc:9090", "__meta_kubernetes_service_port_name", "metrics",
            "__meta_kubernetes_service_port_number", "9090", "__meta_kubernetes_service_port_protocol", "TCP",
            "__meta_kubernetes_service_type", "ClusterIP", "__meta_kubernetes_service_cluster_ip", "10.96.0.20")),
        targets(web));

    assertEquals(List.of(labels("__address__", "edge.ingress.svc:443", "__meta_kubernetes_service_port_name", "https",
        "__meta_kubernetes_service_port_number", "443", "__meta_kubernetes_service_port_protocol", "TCP",
        "__meta_kubernetes_service_type", "LoadBalancer", "__meta_kubernetes_service_cluster_ip", "10.96.0.30",
        "__meta_kubernetes_service_loadbalancer_ip", "203.0.113.10,203.0.113.11")), targets(m.get("svc/ingress/edge")));
    assertEquals("198.51.100.1", m.get("svc/ingress/old-lb").labelsOf(0).get("__meta_kubernetes_service_loadbalancer_ip"));
    assertEquals(List.of(labels("__address__", "db.shop.svc:5432",
        "__meta_kubernetes_service_port_number", "5432", "__meta_kubernetes_service_port_protocol", "TCP",
        "__meta_kubernetes_service_type", "ExternalName", "__meta_kubernetes_service_external_name", "db.example.com")),
        targets(m.get("svc/shop/db")));

    api.delete("services", "shop", "db");
    c.await(x -> x.containsKey("svc/shop/db") && x.get("svc/shop/db").targets().isEmpty());
  }

  @Test
  void endpointsGroupJoinsServiceAndPodLabelsAndAddsUncoveredContainerPorts() throws Exception {
    api.put("services", WEB_SERVICE);
    api.put("pods", PodNodeDiscoveryTest.WEB_POD);
    api.put("endpoints", WEB_ENDPOINTS);
    K8sTesting.Collector c = start("        role: endpoints\n");
    TargetGroup g = c.awaitGroup("endpoints/shop/web");

    Map<String, String> group = with(serviceGroupLabels(),
        "__meta_kubernetes_endpoints_name", "web",
        "__meta_kubernetes_endpoints_label_app", "web",
        "__meta_kubernetes_endpoints_labelpresent_app", "true");
    assertEquals(group, new TreeMap<>(g.labels()));

    List<Map<String, String>> want = new ArrayList<>();
    want.add(with(podLabels(), "__address__", "10.1.2.3:8080",
        "__meta_kubernetes_endpoint_port_name", "http", "__meta_kubernetes_endpoint_port_protocol", "TCP",
        "__meta_kubernetes_endpoint_ready", "true", "__meta_kubernetes_endpoint_node_name", "worker-1",
        "__meta_kubernetes_endpoint_address_target_kind", "Pod", "__meta_kubernetes_endpoint_address_target_name", "web-7d9f-abc12",
        "__meta_kubernetes_pod_container_name", "web", "__meta_kubernetes_pod_container_image", "shop/web:1.4",
        "__meta_kubernetes_pod_container_port_name", "http", "__meta_kubernetes_pod_container_port_number", "8080",
        "__meta_kubernetes_pod_container_port_protocol", "TCP", "__meta_kubernetes_pod_container_init", "false"));
    want.add(labels("__address__", "10.1.9.9:8080",
        "__meta_kubernetes_endpoint_port_name", "http", "__meta_kubernetes_endpoint_port_protocol", "TCP",
        "__meta_kubernetes_endpoint_ready", "true", "__meta_kubernetes_endpoint_hostname", "legacy-vm"));
    want.add(labels("__address__", "10.1.2.4:8080",
        "__meta_kubernetes_endpoint_port_name", "http", "__meta_kubernetes_endpoint_port_protocol", "TCP",
        "__meta_kubernetes_endpoint_ready", "false", "__meta_kubernetes_endpoint_node_name", "worker-2",
        "__meta_kubernetes_endpoint_address_target_kind", "Pod", "__meta_kubernetes_endpoint_address_target_name", "not-cached"));
    want.addAll(extraPodTargets());
    assertEquals(want, targets(g));
  }

  @Test
  void endpointsFollowChangesOfTheirServiceAndPods() throws Exception {
    api.put("pods", PodNodeDiscoveryTest.WEB_POD);
    api.put("endpoints", WEB_ENDPOINTS);
    K8sTesting.Collector c = start("        role: endpoints\n        namespaces: {names: [shop]}\n");
    TargetGroup g = c.awaitGroup("endpoints/shop/web");
    assertFalse(g.labels().containsKey("__meta_kubernetes_service_name"));
    assertEquals(6, g.targets().size());

    api.put("services", WEB_SERVICE);
    c.await(x -> "web".equals(x.get("endpoints/shop/web").labels().get("__meta_kubernetes_service_name")));

    api.put("pods", PodNodeDiscoveryTest.WEB_POD.replace("\"status\": \"True\"}]", "\"status\": \"False\"}]"));
    c.await(x -> "false".equals(x.get("endpoints/shop/web").labelsOf(0).get("__meta_kubernetes_pod_ready")));

    api.delete("pods", "shop", "web-7d9f-abc12");
    Map<String, TargetGroup> m = c.await(x -> x.get("endpoints/shop/web").targets().size() == 3);
    assertFalse(m.get("endpoints/shop/web").labelsOf(0).containsKey("__meta_kubernetes_pod_name"));
    assertTrue(api.requests("/api/v1/namespaces/shop/services").size() >= 1);
    assertTrue(api.requests("/api/v1/namespaces/shop/pods").size() >= 1);
  }

  @Test
  void endpointsAttachNodeAndNamespaceMetadataAndFollowTheirChanges() throws Exception {
    api.put("endpoints", WEB_ENDPOINTS);
    api.put("nodes", "{\"metadata\": {\"name\": \"worker-1\", \"labels\": {\"zone\": \"a\"}}}");
    api.put("nodes", "{\"metadata\": {\"name\": \"worker-9\", \"labels\": {\"zone\": \"z\"}}}");
    api.put("namespaces", "{\"metadata\": {\"name\": \"shop\", \"labels\": {\"team\": \"checkout\"}}}");
    K8sTesting.Collector c = start("        role: endpoints\n        attach_metadata: {node: true, namespace: true}\n");
    TargetGroup g = c.awaitGroup("endpoints/shop/web");
    assertEquals("checkout", g.labels().get("__meta_kubernetes_namespace_label_team"));
    assertEquals("a", g.labelsOf(0).get("__meta_kubernetes_node_label_zone"));
    assertEquals("worker-1", g.labelsOf(0).get("__meta_kubernetes_node_name"));
    assertFalse(g.labelsOf(1).containsKey("__meta_kubernetes_node_name"), "an address without node gets no node labels");
    api.put("nodes", "{\"metadata\": {\"name\": \"worker-1\", \"labels\": {\"zone\": \"b\"}}}");
    c.await(x -> "b".equals(x.get("endpoints/shop/web").labelsOf(0).get("__meta_kubernetes_node_label_zone")));
  }

  @Test
  void endpointSliceGroupHasSliceServiceAndPodLabels() throws Exception {
    api.put("services", WEB_SERVICE);
    api.put("pods", PodNodeDiscoveryTest.WEB_POD);
    api.put("endpointslices", WEB_SLICE);
    K8sTesting.Collector c = start("        role: endpointslice\n");
    TargetGroup g = c.awaitGroup("endpointslice/shop/web-x7k2p");
    assertEquals(with(serviceGroupLabels(),
        "__meta_kubernetes_endpointslice_name", "web-x7k2p",
        "__meta_kubernetes_endpointslice_address_type", "IPv4",
        "__meta_kubernetes_endpointslice_label_kubernetes_io_service_name", "web",
        "__meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name", "true",
        "__meta_kubernetes_endpointslice_label_endpointslice_kubernetes_io_managed_by", "endpointslice-controller.k8s.io",
        "__meta_kubernetes_endpointslice_labelpresent_endpointslice_kubernetes_io_managed_by", "true"),
        new TreeMap<>(g.labels()));
    List<Map<String, String>> want = new ArrayList<>();
    want.add(with(podLabels(), "__address__", "10.1.2.3:8080",
        "__meta_kubernetes_endpointslice_port", "8080", "__meta_kubernetes_endpointslice_port_name", "http",
        "__meta_kubernetes_endpointslice_port_protocol", "TCP", "__meta_kubernetes_endpointslice_port_app_protocol", "http",
        "__meta_kubernetes_endpointslice_endpoint_conditions_ready", "true",
        "__meta_kubernetes_endpointslice_endpoint_conditions_serving", "true",
        "__meta_kubernetes_endpointslice_endpoint_conditions_terminating", "false",
        "__meta_kubernetes_endpointslice_endpoint_node_name", "worker-1",
        "__meta_kubernetes_endpointslice_endpoint_zone", "eu-1a",
        "__meta_kubernetes_endpointslice_address_target_kind", "Pod",
        "__meta_kubernetes_endpointslice_address_target_name", "web-7d9f-abc12",
        "__meta_kubernetes_pod_container_name", "web", "__meta_kubernetes_pod_container_image", "shop/web:1.4",
        "__meta_kubernetes_pod_container_port_name", "http", "__meta_kubernetes_pod_container_port_number", "8080",
        "__meta_kubernetes_pod_container_port_protocol", "TCP", "__meta_kubernetes_pod_container_init", "false"));
    want.add(labels("__address__", "10.1.9.9:8080",
        "__meta_kubernetes_endpointslice_port", "8080", "__meta_kubernetes_endpointslice_port_name", "http",
        "__meta_kubernetes_endpointslice_port_protocol", "TCP", "__meta_kubernetes_endpointslice_port_app_protocol", "http",
        "__meta_kubernetes_endpointslice_endpoint_conditions_ready", "false",
        "__meta_kubernetes_endpointslice_endpoint_hostname", "legacy-vm",
        "__meta_kubernetes_endpointslice_endpoint_topology_kubernetes_io_hostname", "worker-2",
        "__meta_kubernetes_endpointslice_endpoint_topology_present_kubernetes_io_hostname", "true"));
    want.addAll(extraPodTargets());
    assertEquals(want, targets(g));

    // A change of the Service named by the slice's label rebuilds the slice.
    api.put("services", WEB_SERVICE.replace("\"app\": \"web\"", "\"app\": \"web2\""));
    c.await(x -> "web2".equals(x.get("endpointslice/shop/web-x7k2p").labels().get("__meta_kubernetes_service_label_app")));
    api.delete("endpointslices", "shop", "web-x7k2p");
    c.await(x -> x.get("endpointslice/shop/web-x7k2p").targets().isEmpty());
  }

  @Test
  void endpointSliceWithoutPortNumberAndSecondaryDualStackFamily() throws Exception {
    api.put("services", WEB_SERVICE.replace("\"ipFamilies\": [\"IPv4\"], \"ipFamilyPolicy\": \"SingleStack\"",
        "\"ipFamilies\": [\"IPv4\", \"IPv6\"], \"ipFamilyPolicy\": \"RequireDualStack\""));
    api.put("endpointslices", WEB_SLICE);
    api.put("endpointslices", """
        {"metadata": {"name": "web-v6", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web"}},
         "addressType": "IPv6",
         "endpoints": [{"addresses": ["fd00::3"], "conditions": {"ready": true}}],
         "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}""");
    api.put("endpointslices", """
        {"metadata": {"name": "headless", "namespace": "shop"}, "addressType": "FQDN",
         "endpoints": [{"addresses": ["db-0.example.com"]}], "ports": [{"name": "any"}]}""");
    K8sTesting.Collector c = start("        role: endpointslice\n");
    Map<String, TargetGroup> m = c.await(x -> x.size() == 3);
    assertEquals(2, m.get("endpointslice/shop/web-x7k2p").targets().size(), "no pods cached: no pod labels, no extra targets");
    assertTrue(m.get("endpointslice/shop/web-v6").targets().isEmpty(), "only the primary IP family of a dual-stack service");
    assertEquals(List.of(labels("__address__", "db-0.example.com", "__meta_kubernetes_endpointslice_port_name", "any")),
        targets(m.get("endpointslice/shop/headless")));
    assertEquals("FQDN", m.get("endpointslice/shop/headless").labels().get("__meta_kubernetes_endpointslice_address_type"));
  }

  @Test
  void ingressGroupHasOneTargetPerRuleAndPathWithTlsScheme() throws Exception {
    api.put("ingresses", """
        {"metadata": {"name": "shop", "namespace": "shop", "labels": {"app": "shop"},
           "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"}},
         "spec": {"ingressClassName": "nginx",
           "tls": [{"hosts": ["shop.example.com", "*.api.example.com"], "secretName": "shop-tls"}],
           "rules": [
             {"host": "shop.example.com", "http": {"paths": [
               {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
               {"path": "/cart", "pathType": "Prefix", "backend": {"service": {"name": "cart", "port": {"name": "http"}}}}]}},
             {"host": "v1.api.example.com", "http": {"paths": [{"pathType": "ImplementationSpecific",
               "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}},
             {"host": "a.b.api.example.com", "http": {"paths": [{"path": "/deep", "pathType": "Exact",
               "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}},
             {"host": "static.example.com"}]}}""");
    K8sTesting.Collector c = start("        role: ingress\n");
    TargetGroup g = c.awaitGroup("ingress/shop/shop");
    assertEquals(labels(
        "__meta_kubernetes_namespace", "shop",
        "__meta_kubernetes_ingress_name", "shop",
        "__meta_kubernetes_ingress_class_name", "nginx",
        "__meta_kubernetes_ingress_label_app", "shop",
        "__meta_kubernetes_ingress_labelpresent_app", "true",
        "__meta_kubernetes_ingress_annotation_nginx_ingress_kubernetes_io_rewrite_target", "/",
        "__meta_kubernetes_ingress_annotationpresent_nginx_ingress_kubernetes_io_rewrite_target", "true"),
        new TreeMap<>(g.labels()));
    assertEquals(List.of(
        ingressTarget("shop.example.com", "https", "/"),
        ingressTarget("shop.example.com", "https", "/cart"),
        ingressTarget("v1.api.example.com", "https", "/"),
        ingressTarget("a.b.api.example.com", "http", "/deep"),
        ingressTarget("static.example.com", "http", "/")), targets(g));
    assertTrue(api.requests("/apis/networking.k8s.io/v1/ingresses").size() >= 1);
  }

  private static Map<String, String> ingressTarget(String host, String scheme, String path) {
    return labels("__address__", host, "__meta_kubernetes_ingress_host", host,
        "__meta_kubernetes_ingress_scheme", scheme, "__meta_kubernetes_ingress_path", path);
  }

  @Test
  void endpointsWatchTheirThreeResourcesWithTheirOwnSelectors() throws Exception {
    api.put("endpoints", WEB_ENDPOINTS);
    K8sTesting.Collector c = start("""
                role: endpoints
                selectors:
                  - {role: endpoints, label: "app=web"}
                  - {role: service, field: "metadata.name=web"}
                  - {role: pod, label: "app.kubernetes.io/name=web"}
        """);
    c.awaitGroup("endpoints/shop/web");
    assertEquals("app=web", api.requests("/api/v1/endpoints").get(0).query().get("labelSelector"));
    assertEquals("metadata.name=web", api.requests("/api/v1/services").get(0).query().get("fieldSelector"));
    assertEquals("app.kubernetes.io/name=web", api.requests("/api/v1/pods").get(0).query().get("labelSelector"));
    assertEquals(List.of("/api/v1/endpoints", "/api/v1/pods", "/api/v1/services"),
        discoverer.watchedPaths().stream().sorted().toList());
  }
}
