package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.PREFIX;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.put;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** attach_metadata: node, namespace and controller labels taken from other cached objects. */
final class Enrichment {
  private Enrichment() {}

  /** The node's name, labels and annotations (with present twins), when the node is known. */
  static void node(Map<String, String> m, Lookup lookup, String nodeName) {
    if (nodeName == null || nodeName.isEmpty()) {
      return;
    }
    JsonNode node = lookup.get(Resource.NODES, nodeName);
    if (node != null) {
      MetaLabels.objectMeta(m, node, "node");
    }
  }

  /** The namespace's labels and annotations (with present twins), when the namespace is known. */
  static void namespace(Map<String, String> m, Lookup lookup, String namespace) {
    JsonNode ns = lookup.get(Resource.NAMESPACES, namespace);
    if (ns == null) {
      return;
    }
    JsonNode meta = ns.path("metadata");
    MetaLabels.keyValues(m, meta.path("labels"), PREFIX + "namespace_label_", PREFIX + "namespace_labelpresent_");
    MetaLabels.keyValues(m, meta.path("annotations"), PREFIX + "namespace_annotation_",
        PREFIX + "namespace_annotationpresent_");
  }

  /**
   * {@code pod_deployment_name} (the controlling ReplicaSet's Deployment), {@code pod_job_name}
   * and {@code pod_cronjob_name} (the controlling Job's CronJob), as attach_metadata asks.
   */
  static void controllers(Map<String, String> m, Lookup lookup, String namespace, JsonNode controller) {
    String kind = text(controller, "kind");
    String name = text(controller, "name");
    if (name == null) {
      return;
    }
    if (lookup.attach().deployment() && "ReplicaSet".equals(kind)) {
      JsonNode rs = lookup.get(Resource.REPLICASETS, namespace + "/" + name);
      JsonNode owner = rs == null ? null : MetaLabels.controllerOf(rs);
      if (owner != null && "Deployment".equals(text(owner, "kind"))) {
        put(m, PREFIX + "pod_deployment_name", text(owner, "name"));
      }
    }
    if ("Job".equals(kind)) {
      if (lookup.attach().job()) {
        put(m, PREFIX + "pod_job_name", name);
      }
      if (lookup.attach().cronjob()) {
        JsonNode job = lookup.get(Resource.JOBS, namespace + "/" + name);
        JsonNode owner = job == null ? null : MetaLabels.controllerOf(job);
        if (owner != null && "CronJob".equals(text(owner, "kind"))) {
          put(m, PREFIX + "pod_cronjob_name", text(owner, "name"));
        }
      }
    }
  }
}
