package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.KubernetesSdConfig;
import dev.kiln.config.KubernetesSdConfig.Role;
import dev.kiln.config.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one role watches and how it turns objects into target groups: the main resource (one
 * group per object), the resources it reads besides, and which main objects a change of those
 * affects.
 */
final class RoleSpec {
  final Role role;
  final Resource main;

  RoleSpec(Role role) {
    this.role = role;
    this.main = switch (role) {
      case NODE -> Resource.NODES;
      case POD -> Resource.PODS;
      case SERVICE -> Resource.SERVICES;
      case ENDPOINTS -> Resource.ENDPOINTS;
      case ENDPOINTSLICE -> Resource.ENDPOINTSLICES;
      case INGRESS -> Resource.INGRESSES;
    };
  }

  /** Every resource to list and watch, the main one first. */
  List<Resource> resources(KubernetesSdConfig cfg) {
    Set<Resource> out = new LinkedHashSet<>();
    out.add(main);
    if (role == Role.ENDPOINTS || role == Role.ENDPOINTSLICE) {
      out.add(Resource.SERVICES);
      out.add(Resource.PODS);
    }
    boolean podsInvolved = out.contains(Resource.PODS);
    if (cfg.attachMetadata().node() && (role == Role.POD || role == Role.ENDPOINTS || role == Role.ENDPOINTSLICE)) {
      out.add(Resource.NODES);
    }
    if (cfg.attachMetadata().namespace() && role != Role.NODE) {
      out.add(Resource.NAMESPACES);
    }
    if (podsInvolved && cfg.attachMetadata().deployment()) {
      out.add(Resource.REPLICASETS);
    }
    if (podsInvolved && cfg.attachMetadata().cronjob()) {
      out.add(Resource.JOBS);
    }
    return new ArrayList<>(out);
  }

  /** The selector role that filters a resource, or null. */
  static Role selectorRole(Resource r) {
    return switch (r) {
      case NODES -> Role.NODE;
      case PODS -> Role.POD;
      case SERVICES -> Role.SERVICE;
      case ENDPOINTS -> Role.ENDPOINTS;
      case ENDPOINTSLICES -> Role.ENDPOINTSLICE;
      case INGRESSES -> Role.INGRESS;
      default -> null;
    };
  }

  /** The group source of a main object. */
  String source(JsonNode obj) {
    String ns = MetaLabels.namespace(obj);
    String name = MetaLabels.name(obj);
    return switch (role) {
      case NODE -> NodeTargets.source(name);
      case POD -> PodTargets.source(ns, name);
      case SERVICE -> "svc/" + ns + "/" + name;
      case ENDPOINTS -> "endpoints/" + ns + "/" + name;
      case ENDPOINTSLICE -> "endpointslice/" + ns + "/" + name;
      case INGRESS -> "ingress/" + ns + "/" + name;
    };
  }

  /** The group of a main object; null when Prometheus would send none (a node without address). */
  TargetGroup build(JsonNode obj, Lookup lookup) {
    return switch (role) {
      case NODE -> NodeTargets.build(obj);
      case POD -> PodTargets.build(obj, lookup);
      case SERVICE -> ServiceTargets.build(obj, lookup);
      case ENDPOINTS -> EndpointsTargets.build(obj, lookup);
      case ENDPOINTSLICE -> EndpointSliceTargets.build(obj, lookup);
      case INGRESS -> IngressTargets.build(obj, lookup);
    };
  }

  /** The main objects whose groups may change when {@code changed} (of resource {@code r}) changes. */
  List<JsonNode> affected(Resource r, JsonNode changed, Lookup lookup) {
    List<JsonNode> out = new ArrayList<>();
    String ns = MetaLabels.namespace(changed);
    String name = MetaLabels.name(changed);
    for (JsonNode m : lookup.all(main)) {
      if (depends(m, r, ns, name)) {
        out.add(m);
      }
    }
    return out;
  }

  private boolean depends(JsonNode m, Resource r, String ns, String name) {
    String mNs = MetaLabels.namespace(m);
    return switch (r) {
      case NAMESPACES -> mNs.equals(name);
      case NODES -> role == Role.POD ? name.equals(MetaLabels.text(m, "spec", "nodeName")) : references(m, "Node", name, true);
      case SERVICES -> mNs.equals(ns) && (role == Role.ENDPOINTS
          ? MetaLabels.name(m).equals(name)
          : name.equals(MetaLabels.text(m, "metadata", "labels", EndpointSliceTargets.SERVICE_NAME_LABEL)));
      case PODS -> mNs.equals(ns) && references(m, "Pod", name, false);
      case REPLICASETS -> mNs.equals(ns) && controlledBy(m, "ReplicaSet", name);
      case JOBS -> mNs.equals(ns) && controlledBy(m, "Job", name);
      default -> false;
    };
  }

  private static boolean controlledBy(JsonNode pod, String kind, String name) {
    JsonNode c = MetaLabels.controllerOf(pod);
    return c != null && kind.equals(MetaLabels.text(c, "kind")) && name.equals(MetaLabels.text(c, "name"));
  }

  /**
   * Whether an Endpoints or EndpointSlice has an address whose {@code targetRef} is {@code kind/name}
   * (or, with {@code orNodeName}, whose {@code nodeName} is {@code name}).
   */
  private boolean references(JsonNode m, String kind, String name, boolean orNodeName) {
    List<JsonNode> addresses = new ArrayList<>();
    if (role == Role.ENDPOINTS) {
      for (JsonNode subset : MetaLabels.items(m, "subsets")) {
        addresses.addAll(MetaLabels.items(subset, "addresses"));
        addresses.addAll(MetaLabels.items(subset, "notReadyAddresses"));
      }
    } else {
      addresses.addAll(MetaLabels.items(m, "endpoints"));
    }
    for (JsonNode a : addresses) {
      JsonNode ref = a.path("targetRef");
      if (kind.equals(MetaLabels.text(ref, "kind")) && name.equals(MetaLabels.text(ref, "name"))) {
        return true;
      }
      if (orNodeName && name.equals(MetaLabels.text(a, "nodeName"))) {
        return true;
      }
    }
    return false;
  }
}
