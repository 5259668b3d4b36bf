package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.PREFIX;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.items;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.put;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Role {@code service}: one target per service port, as Prometheus's {@code service.go}. */
final class ServiceTargets {
  private ServiceTargets() {}

  /** Namespace, name, labels and annotations of a service (also added to endpoints groups). */
  static Map<String, String> serviceLabels(JsonNode svc) {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, MetaLabels.NAMESPACE, MetaLabels.namespace(svc));
    MetaLabels.objectMeta(m, svc, "service");
    return m;
  }

  static TargetGroup build(JsonNode svc, Lookup lookup) {
    String ns = MetaLabels.namespace(svc);
    String name = MetaLabels.name(svc);
    GroupBuilder g = new GroupBuilder("svc/" + ns + "/" + name);
    g.labels.putAll(serviceLabels(svc));
    if (lookup.attach().namespace()) {
      Enrichment.namespace(g.labels, lookup, ns);
    }
    JsonNode spec = svc.path("spec");
    String type = text(spec, "type");
    for (JsonNode port : items(spec, "ports")) {
      String number = port.path("port").asText();
      Map<String, String> t = new LinkedHashMap<>();
      t.put(MetaLabels.ADDRESS, MetaLabels.joinHostPort(name + "." + ns + ".svc", number));
      put(t, PREFIX + "service_port_name", text(port, "name"));
      put(t, PREFIX + "service_port_number", number);
      put(t, PREFIX + "service_port_protocol", text(port, "protocol"));
      put(t, PREFIX + "service_type", type);
      if ("ExternalName".equals(type)) {
        put(t, PREFIX + "service_external_name", text(spec, "externalName"));
      } else {
        put(t, PREFIX + "service_cluster_ip", text(spec, "clusterIP"));
      }
      if ("LoadBalancer".equals(type)) {
        put(t, PREFIX + "service_loadbalancer_ip", loadBalancerIp(svc));
      }
      g.target(t);
    }
    return g.build();
  }

  /** {@code status.loadBalancer.ingress[].ip} joined by commas, else {@code spec.loadBalancerIP}. */
  private static String loadBalancerIp(JsonNode svc) {
    List<String> ips = new ArrayList<>();
    for (JsonNode in : items(svc.path("status").path("loadBalancer"), "ingress")) {
      String ip = text(in, "ip");
      if (ip != null && !ip.isEmpty()) {
        ips.add(ip);
      }
    }
    return ips.isEmpty() ? text(svc, "spec", "loadBalancerIP") : String.join(",", ips);
  }
}
