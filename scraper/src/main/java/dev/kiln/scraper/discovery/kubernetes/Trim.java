package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Drops what target building never reads before an object is cached: {@code metadata.managedFields}
 * of every object, and for Pods everything in {@code spec} and {@code status} but the fields the
 * pod labels use. Pods are most of a cluster's objects and carry large specs (env, volumes,
 * probes), so this keeps the cache close to what Prometheus's typed informers hold.
 */
final class Trim {
  private static final List<String> POD_SPEC = List.of("nodeName", "containers", "initContainers");
  private static final List<String> CONTAINER = List.of("name", "image", "ports");
  private static final List<String> POD_STATUS =
      List.of("phase", "podIP", "hostIP", "conditions", "containerStatuses", "initContainerStatuses");
  private static final List<String> CONTAINER_STATUS = List.of("name", "containerID");

  private Trim() {}

  /** Trims {@code obj} in place and returns it. */
  static JsonNode apply(Resource r, JsonNode obj) {
    if (obj.path("metadata") instanceof ObjectNode meta) {
      meta.remove("managedFields");
    }
    if (r == Resource.PODS) {
      if (obj.get("spec") instanceof ObjectNode spec) {
        spec.retain(POD_SPEC);
        retainEach(spec.get("containers"), CONTAINER);
        retainEach(spec.get("initContainers"), CONTAINER);
      }
      if (obj.get("status") instanceof ObjectNode status) {
        status.retain(POD_STATUS);
        retainEach(status.get("containerStatuses"), CONTAINER_STATUS);
        retainEach(status.get("initContainerStatuses"), CONTAINER_STATUS);
      }
    }
    return obj;
  }

  private static void retainEach(JsonNode array, List<String> fields) {
    if (array instanceof ArrayNode a) {
      for (JsonNode n : a) {
        if (n instanceof ObjectNode o) {
          o.retain(fields);
        }
      }
    }
  }
}
