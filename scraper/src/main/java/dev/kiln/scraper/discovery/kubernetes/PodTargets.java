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
import java.util.Locale;
import java.util.Map;

/** Role {@code pod}: one target per declared container port, as Prometheus's {@code discovery/kubernetes/pod.go}. */
final class PodTargets {
  static final String CONTAINER_NAME = PREFIX + "pod_container_name";
  static final String CONTAINER_ID = PREFIX + "pod_container_id";
  static final String CONTAINER_IMAGE = PREFIX + "pod_container_image";
  static final String CONTAINER_PORT_NAME = PREFIX + "pod_container_port_name";
  static final String CONTAINER_PORT_NUMBER = PREFIX + "pod_container_port_number";
  static final String CONTAINER_PORT_PROTOCOL = PREFIX + "pod_container_port_protocol";
  static final String CONTAINER_INIT = PREFIX + "pod_container_init";

  private PodTargets() {}

  static String source(String namespace, String name) {
    return "pod/" + namespace + "/" + name;
  }

  /** A container of {@code spec.containers} followed by {@code spec.initContainers}. */
  record Container(JsonNode spec, boolean init) {
    String name() {
      String n = text(spec, "name");
      return n == null ? "" : n;
    }
  }

  static List<Container> containers(JsonNode pod) {
    List<Container> out = new ArrayList<>();
    for (JsonNode c : items(pod.path("spec"), "containers")) {
      out.add(new Container(c, false));
    }
    for (JsonNode c : items(pod.path("spec"), "initContainers")) {
      out.add(new Container(c, true));
    }
    return out;
  }

  static TargetGroup build(JsonNode pod, Lookup lookup) {
    String ns = MetaLabels.namespace(pod);
    GroupBuilder g = new GroupBuilder(source(ns, MetaLabels.name(pod)));
    String podIp = text(pod, "status", "podIP");
    if (podIp == null || podIp.isEmpty()) {
      return g.build();
    }
    String nodeName = text(pod, "spec", "nodeName");
    if (lookup.attach().node() && lookup.selected(Resource.NODES) && nodeName != null
        && lookup.get(Resource.NODES, nodeName) == null) {
      return g.build();
    }
    g.labels.putAll(podLabels(pod, lookup));
    g.labels.put(MetaLabels.NAMESPACE, ns);
    if (lookup.attach().node()) {
      Enrichment.node(g.labels, lookup, nodeName);
    }
    if (lookup.attach().namespace()) {
      Enrichment.namespace(g.labels, lookup, ns);
    }
    for (Container c : containers(pod)) {
      String id = containerId(pod, c);
      List<JsonNode> ports = items(c.spec(), "ports");
      if (ports.isEmpty()) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(MetaLabels.ADDRESS, podIp);
        containerLabels(t, c, id);
        g.target(t);
        continue;
      }
      for (JsonNode port : ports) {
        String number = port.path("containerPort").asText();
        Map<String, String> t = new LinkedHashMap<>();
        t.put(MetaLabels.ADDRESS, MetaLabels.joinHostPort(podIp, number));
        containerLabels(t, c, id);
        put(t, CONTAINER_PORT_NUMBER, number);
        put(t, CONTAINER_PORT_NAME, text(port, "name"));
        put(t, CONTAINER_PORT_PROTOCOL, text(port, "protocol"));
        g.target(t);
      }
    }
    return g.build();
  }

  private static void containerLabels(Map<String, String> t, Container c, String id) {
    put(t, CONTAINER_NAME, c.name());
    put(t, CONTAINER_ID, id);
    put(t, CONTAINER_IMAGE, text(c.spec(), "image"));
    t.put(CONTAINER_INIT, Boolean.toString(c.init()));
  }

  /** The container ID ({@code <runtime>://<id>}) from the matching container status, or null. */
  private static String containerId(JsonNode pod, Container c) {
    String field = c.init() ? "initContainerStatuses" : "containerStatuses";
    for (JsonNode s : items(pod.path("status"), field)) {
      if (c.name().equals(text(s, "name"))) {
        return text(s, "containerID");
      }
    }
    return null;
  }

  /**
   * The pod's object-level labels (Prometheus's {@code podLabels}): name, IP, readiness, phase,
   * node, host IP, UID, controller, labels and annotations, plus the controller names that
   * attach_metadata asks for. No namespace label.
   */
  static Map<String, String> podLabels(JsonNode pod, Lookup lookup) {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, PREFIX + "pod_ip", text(pod, "status", "podIP"));
    m.put(PREFIX + "pod_ready", ready(pod));
    put(m, PREFIX + "pod_phase", text(pod, "status", "phase"));
    put(m, PREFIX + "pod_node_name", text(pod, "spec", "nodeName"));
    put(m, PREFIX + "pod_host_ip", text(pod, "status", "hostIP"));
    put(m, PREFIX + "pod_uid", text(pod, "metadata", "uid"));
    MetaLabels.objectMeta(m, pod, "pod");
    JsonNode controller = MetaLabels.controllerOf(pod);
    if (controller != null) {
      put(m, PREFIX + "pod_controller_kind", text(controller, "kind"));
      put(m, PREFIX + "pod_controller_name", text(controller, "name"));
      Enrichment.controllers(m, lookup, MetaLabels.namespace(pod), controller);
    }
    return m;
  }

  /** The {@code Ready} condition's status lower-cased, {@code unknown} without one. */
  private static String ready(JsonNode pod) {
    for (JsonNode c : items(pod.path("status"), "conditions")) {
      if ("Ready".equals(text(c, "type"))) {
        String s = text(c, "status");
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
      }
    }
    return "unknown";
  }
}
