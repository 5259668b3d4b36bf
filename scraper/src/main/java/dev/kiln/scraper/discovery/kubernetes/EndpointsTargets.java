package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.PREFIX;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.items;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.put;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.TargetGroup;
import java.util.LinkedHashMap;
import java.util.Map;

/** Role {@code endpoints}: one target per address and port, as Prometheus's {@code endpoints.go}. */
final class EndpointsTargets {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EndpointsTargets.class);

  private EndpointsTargets() {}

  static TargetGroup build(JsonNode eps, Lookup lookup) {
    String ns = MetaLabels.namespace(eps);
    String name = MetaLabels.name(eps);
    GroupBuilder g = new GroupBuilder("endpoints/" + ns + "/" + name);
    put(g.labels, MetaLabels.NAMESPACE, ns);
    JsonNode svc = lookup.get(Resource.SERVICES, ns + "/" + name);
    if (svc != null) {
      g.labels.putAll(ServiceTargets.serviceLabels(svc));
    }
    MetaLabels.objectMeta(g.labels, eps, "endpoints");
    if (lookup.attach().namespace()) {
      Enrichment.namespace(g.labels, lookup, ns);
    }
    PodRefs pods = new PodRefs(lookup);
    for (JsonNode subset : items(eps, "subsets")) {
      for (JsonNode port : items(subset, "ports")) {
        for (JsonNode addr : items(subset, "addresses")) {
          g.target(target(addr, port, "true", lookup, pods));
        }
        for (JsonNode addr : items(subset, "notReadyAddresses")) {
          g.target(target(addr, port, "false", lookup, pods));
        }
      }
    }
    String capacity = text(eps, "metadata", "labels", "endpoints.kubernetes.io/over-capacity");
    if ("truncated".equals(capacity) || "warning".equals(capacity)) {
      LOG.warn("endpoints {}/{} hold more than 1000 addresses{}; use role: endpointslice instead", ns, name,
          "truncated".equals(capacity) ? " and were truncated" : "");
    }
    pods.extraTargets(g);
    return g.build();
  }

  private static Map<String, String> target(JsonNode addr, JsonNode port, String ready, Lookup lookup, PodRefs pods) {
    String number = port.path("port").asText();
    String protocol = text(port, "protocol");
    Map<String, String> t = new LinkedHashMap<>();
    t.put(MetaLabels.ADDRESS, MetaLabels.joinHostPort(String.valueOf(text(addr, "ip")), number));
    put(t, PREFIX + "endpoint_port_name", text(port, "name"));
    put(t, PREFIX + "endpoint_port_protocol", protocol);
    t.put(PREFIX + "endpoint_ready", ready);
    JsonNode ref = addr.get("targetRef");
    if (ref != null && ref.isObject()) {
      put(t, PREFIX + "endpoint_address_target_kind", text(ref, "kind"));
      put(t, PREFIX + "endpoint_address_target_name", text(ref, "name"));
    } else {
      ref = null;
    }
    String nodeName = text(addr, "nodeName");
    put(t, PREFIX + "endpoint_node_name", nodeName);
    put(t, PREFIX + "endpoint_hostname", text(addr, "hostname"));
    if (lookup.attach().node()) {
      if (nodeName != null) {
        Enrichment.node(t, lookup, nodeName);
      } else if (ref != null && "Node".equals(text(ref, "kind"))) {
        Enrichment.node(t, lookup, text(ref, "name"));
      }
    }
    JsonNode pod = pods.resolve(ref);
    if (pod != null) {
      pods.enrich(t, pod, number, protocol, true);
    }
    return t;
  }
}
