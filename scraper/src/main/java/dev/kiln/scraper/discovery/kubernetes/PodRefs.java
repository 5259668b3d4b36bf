package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.items;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.put;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pod enrichment shared by the endpoints and endpointslice roles: endpoint targets backed by a
 * known Pod get its labels and the labels of the container port equal to the endpoint port; the
 * container ports no endpoint port covered become extra targets, in the order pods were first seen.
 */
final class PodRefs {
  private final Lookup lookup;
  private final Map<String, Seen> seen = new LinkedHashMap<>();

  private static final class Seen {
    final JsonNode pod;
    final List<String> ports = new ArrayList<>();

    Seen(JsonNode pod) {
      this.pod = pod;
    }
  }

  PodRefs(Lookup lookup) {
    this.lookup = lookup;
  }

  /** The cached Pod a {@code targetRef} names, or null (not a Pod, or not known). */
  JsonNode resolve(JsonNode targetRef) {
    if (targetRef == null || !"Pod".equals(text(targetRef, "kind"))) {
      return null;
    }
    String ns = text(targetRef, "namespace");
    return lookup.get(Resource.PODS, (ns == null ? "" : ns) + "/" + text(targetRef, "name"));
  }

  /**
   * Adds the pod's labels and the matching container's labels to an endpoint target and records
   * the port as covered. {@code port} may be null (no port number).
   *
   * @param protocolFromEndpoint whether the container protocol label takes the endpoint port's
   *     protocol (endpoints role) or the container port's (endpointslice role)
   */
  void enrich(Map<String, String> target, JsonNode pod, String port, String endpointProtocol, boolean protocolFromEndpoint) {
    Seen s = seen.computeIfAbsent(MetaLabels.key(pod), k -> new Seen(pod));
    target.putAll(PodTargets.podLabels(pod, lookup));
    if (port != null) {
      for (PodTargets.Container c : PodTargets.containers(pod)) {
        for (JsonNode cport : items(c.spec(), "ports")) {
          if (port.equals(cport.path("containerPort").asText())) {
            put(target, PodTargets.CONTAINER_NAME, c.name());
            put(target, PodTargets.CONTAINER_IMAGE, text(c.spec(), "image"));
            put(target, PodTargets.CONTAINER_PORT_NAME, text(cport, "name"));
            put(target, PodTargets.CONTAINER_PORT_NUMBER, port);
            put(target, PodTargets.CONTAINER_PORT_PROTOCOL, protocolFromEndpoint ? endpointProtocol : text(cport, "protocol"));
            target.put(PodTargets.CONTAINER_INIT, Boolean.toString(c.init()));
            break;
          }
        }
      }
    }
    s.ports.add(port);
  }

  /** One target per container port of the seen pods that no endpoint port covered. */
  void extraTargets(GroupBuilder g) {
    for (Seen s : seen.values()) {
      String ip = text(s.pod, "status", "podIP");
      if (ip == null || ip.isEmpty()) {
        continue;
      }
      for (PodTargets.Container c : PodTargets.containers(s.pod)) {
        for (JsonNode cport : items(c.spec(), "ports")) {
          String number = cport.path("containerPort").asText();
          if (s.ports.contains(number)) {
            continue;
          }
          Map<String, String> t = new LinkedHashMap<>();
          t.put(MetaLabels.ADDRESS, MetaLabels.joinHostPort(ip, number));
          put(t, PodTargets.CONTAINER_NAME, c.name());
          put(t, PodTargets.CONTAINER_IMAGE, text(c.spec(), "image"));
          put(t, PodTargets.CONTAINER_PORT_NAME, text(cport, "name"));
          put(t, PodTargets.CONTAINER_PORT_NUMBER, number);
          put(t, PodTargets.CONTAINER_PORT_PROTOCOL, text(cport, "protocol"));
          t.put(PodTargets.CONTAINER_INIT, Boolean.toString(c.init()));
          t.putAll(PodTargets.podLabels(s.pod, lookup));
          g.target(t);
        }
      }
    }
  }
}
