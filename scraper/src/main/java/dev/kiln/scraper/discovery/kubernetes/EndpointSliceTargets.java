package dev.kiln.scraper.discovery.kubernetes;

import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.PREFIX;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.items;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.put;
import static dev.kiln.scraper.discovery.kubernetes.MetaLabels.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.TargetGroup;
import java.util.LinkedHashMap;
import java.util.Map;

/** Role {@code endpointslice}: one target per endpoint address and port, as Prometheus's {@code endpointslice.go}. */
final class EndpointSliceTargets {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final String SLICE = PREFIX + "endpointslice_";

  private EndpointSliceTargets() {}

  static TargetGroup build(JsonNode slice, Lookup lookup) {
    String ns = MetaLabels.namespace(slice);
    GroupBuilder g = new GroupBuilder("endpointslice/" + ns + "/" + MetaLabels.name(slice));
    String addressType = text(slice, "addressType");
    put(g.labels, MetaLabels.NAMESPACE, ns);
    put(g.labels, SLICE + "address_type", addressType);
    MetaLabels.objectMeta(g.labels, slice, "endpointslice");
    String svcName = text(slice, "metadata", "labels", SERVICE_NAME_LABEL);
    JsonNode svc = svcName == null ? null : lookup.get(Resource.SERVICES, ns + "/" + svcName);
    if (svc != null) {
      g.labels.putAll(ServiceTargets.serviceLabels(svc));
      if (secondaryFamily(svc, addressType)) {
        return new GroupBuilder(g.source).build();
      }
    }
    if (lookup.attach().namespace()) {
      Enrichment.namespace(g.labels, lookup, ns);
    }
    PodRefs pods = new PodRefs(lookup);
    for (JsonNode ep : items(slice, "endpoints")) {
      for (JsonNode port : items(slice, "ports")) {
        for (JsonNode addr : items(ep, "addresses")) {
          g.target(target(addr.asText(), ep, port, lookup, pods));
        }
      }
    }
    pods.extraTargets(g);
    return g.build();
  }

  /**
   * True for a slice of a dual-stack Service ({@code PreferDualStack}/{@code RequireDualStack})
   * whose address type is not the primary family: its endpoints duplicate the primary slice's.
   */
  private static boolean secondaryFamily(JsonNode svc, String addressType) {
    String policy = text(svc, "spec", "ipFamilyPolicy");
    if (!"PreferDualStack".equals(policy) && !"RequireDualStack".equals(policy)) {
      return false;
    }
    JsonNode families = svc.path("spec").path("ipFamilies");
    if (!families.isArray() || families.size() < 2 || addressType == null || !addressType.startsWith("IP")) {
      return false;
    }
    return !addressType.equals(families.get(0).asText());
  }

  private static Map<String, String> target(String addr, JsonNode ep, JsonNode port, Lookup lookup, PodRefs pods) {
    JsonNode portNumber = port.get("port");
    String number = portNumber == null || portNumber.isNull() ? null : portNumber.asText();
    Map<String, String> t = new LinkedHashMap<>();
    t.put(MetaLabels.ADDRESS, number == null ? addr : MetaLabels.joinHostPort(addr, number));
    put(t, SLICE + "port_name", text(port, "name"));
    put(t, SLICE + "port_protocol", text(port, "protocol"));
    put(t, SLICE + "port", number);
    put(t, SLICE + "port_app_protocol", text(port, "appProtocol"));
    JsonNode cond = ep.path("conditions");
    for (String c : new String[] {"ready", "serving", "terminating"}) {
      JsonNode v = cond.get(c);
      if (v != null && v.isBoolean()) {
        t.put(SLICE + "endpoint_conditions_" + c, Boolean.toString(v.asBoolean()));
      }
    }
    put(t, SLICE + "endpoint_hostname", text(ep, "hostname"));
    JsonNode ref = ep.get("targetRef");
    if (ref != null && ref.isObject()) {
      put(t, SLICE + "address_target_kind", text(ref, "kind"));
      put(t, SLICE + "address_target_name", text(ref, "name"));
    } else {
      ref = null;
    }
    String nodeName = text(ep, "nodeName");
    put(t, SLICE + "endpoint_node_name", nodeName);
    put(t, SLICE + "endpoint_zone", text(ep, "zone"));
    MetaLabels.keyValues(t, ep.path("deprecatedTopology"), SLICE + "endpoint_topology_",
        SLICE + "endpoint_topology_present_");
    if (lookup.attach().node()) {
      if (ref != null && "Node".equals(text(ref, "kind"))) {
        Enrichment.node(t, lookup, text(ref, "name"));
      } else {
        Enrichment.node(t, lookup, nodeName);
      }
    }
    JsonNode pod = pods.resolve(ref);
    if (pod != null) {
      pods.enrich(t, pod, number, null, false);
    }
    return t;
  }
}
