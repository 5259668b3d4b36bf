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

/** Role {@code ingress}: one target per rule and path, as Prometheus's {@code ingress.go}. */
final class IngressTargets {
  private IngressTargets() {}

  static TargetGroup build(JsonNode ing, Lookup lookup) {
    String ns = MetaLabels.namespace(ing);
    GroupBuilder g = new GroupBuilder("ingress/" + ns + "/" + MetaLabels.name(ing));
    put(g.labels, MetaLabels.NAMESPACE, ns);
    put(g.labels, PREFIX + "ingress_class_name", text(ing, "spec", "ingressClassName"));
    MetaLabels.objectMeta(g.labels, ing, "ingress");
    if (lookup.attach().namespace()) {
      Enrichment.namespace(g.labels, lookup, ns);
    }
    List<String> tlsHosts = new ArrayList<>();
    for (JsonNode tls : items(ing.path("spec"), "tls")) {
      for (JsonNode h : items(tls, "hosts")) {
        tlsHosts.add(h.asText());
      }
    }
    for (JsonNode rule : items(ing.path("spec"), "rules")) {
      String host = text(rule, "host");
      host = host == null ? "" : host;
      String scheme = "http";
      for (String pattern : tlsHosts) {
        if (matchesHostnamePattern(pattern, host)) {
          scheme = "https";
          break;
        }
      }
      List<String> paths = new ArrayList<>();
      JsonNode http = rule.get("http");
      if (http == null || http.isNull()) {
        paths.add("/");
      } else {
        for (JsonNode p : items(http, "paths")) {
          String path = text(p, "path");
          paths.add(path == null || path.isEmpty() ? "/" : path);
        }
      }
      for (String path : paths) {
        Map<String, String> t = new LinkedHashMap<>();
        put(t, MetaLabels.ADDRESS, host);
        t.put(PREFIX + "ingress_scheme", scheme);
        put(t, PREFIX + "ingress_host", host);
        t.put(PREFIX + "ingress_path", path);
        g.target(t);
      }
    }
    return g.build();
  }

  /** True when the host equals the pattern or matches a {@code *.} wildcard covering exactly one label. */
  static boolean matchesHostnamePattern(String pattern, String host) {
    if (pattern.equals(host)) {
      return true;
    }
    String[] p = pattern.split("\\.", -1);
    String[] h = host.split("\\.", -1);
    if (p.length == 0 || !p[0].equals("*") || p.length != h.length) {
      return false;
    }
    for (int i = 1; i < p.length; i++) {
      if (!p[i].equals(h[i])) {
        return false;
      }
    }
    return true;
  }
}
