package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.PREFIX;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.items;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.put;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.TargetGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Role {@code node}: one target per node at its kubelet port, as Prometheus's {@code node.go}. */
final class NodeTargets {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeTargets.class);
  private static final List<String> ADDRESS_PRIORITY =
      List.of("InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname");

  private NodeTargets() {}

  static String source(String name) {
    return "node/" + name;
  }

  /** The node's group, or null when it has no usable address (Prometheus sends nothing then). */
  static TargetGroup build(JsonNode node) {
    String name = MetaLabels.name(node);
    GroupBuilder g = new GroupBuilder(source(name));
    put(g.labels, PREFIX + "node_provider_id", text(node, "spec", "providerID"));
    MetaLabels.objectMeta(g.labels, node, "node");
    for (JsonNode c : items(node.path("status"), "conditions")) {
      String type = text(c, "type");
      String status = text(c, "status");
      if (type != null && status != null) {
        put(g.labels, PREFIX + "node_condition_" + MetaLabels.sanitize(type.toLowerCase(Locale.ROOT)),
            status.toLowerCase(Locale.ROOT));
      }
    }
    Map<String, String> firstByType = new LinkedHashMap<>();
    for (JsonNode a : items(node.path("status"), "addresses")) {
      String type = text(a, "type");
      String address = text(a, "address");
      if (type != null && address != null) {
        firstByType.putIfAbsent(type, address);
      }
    }
    String address = null;
    for (String type : ADDRESS_PRIORITY) {
      address = firstByType.get(type);
      if (address != null) {
        break;
      }
    }
    if (address == null) {
      LOG.warn("kubernetes node {} has no address; no target", name);
      return null;
    }
    String port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asText("0");
    Map<String, String> t = new LinkedHashMap<>();
    t.put(MetaLabels.ADDRESS, MetaLabels.joinHostPort(address, port));
    t.put("instance", name);
    firstByType.forEach((type, a) -> put(t, MetaLabels.sanitize(PREFIX + "node_address_" + type), a));
    g.target(t);
    return g.build();
  }
}
