package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reading Kubernetes API objects (Jackson trees) and writing {@code __meta_kubernetes_*} labels as
 * Prometheus does. Empty values are never written: Kiln's label sets treat an empty value as
 * absent, exactly as Prometheus's target builder does.
 */
final class MetaLabels {
  static final String PREFIX = "__meta_kubernetes_";
  static final String NAMESPACE = PREFIX + "namespace";
  static final String ADDRESS = "__address__";

  private MetaLabels() {}

  /** Sets {@code name} to {@code value} unless the value is null or empty. */
  static void put(Map<String, String> m, String name, String value) {
    if (value != null && !value.isEmpty()) {
      m.put(name, value);
    }
  }

  /**
   * Prometheus's {@code strutil.SanitizeLabelName}: every character outside {@code [a-zA-Z0-9_]}
   * (per code point) becomes {@code _}.
   */
  static String sanitize(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
      b.append(ok ? (char) c : '_');
    });
    return b.toString();
  }

  /**
   * {@code <role>_name}, {@code <role>_label_*}, {@code <role>_labelpresent_*},
   * {@code <role>_annotation_*} and {@code <role>_annotationpresent_*} of an object's metadata.
   */
  static void objectMeta(Map<String, String> m, JsonNode obj, String role) {
    JsonNode meta = obj.path("metadata");
    put(m, PREFIX + role + "_name", text(meta, "name"));
    keyValues(m, meta.path("labels"), PREFIX + role + "_label_", PREFIX + role + "_labelpresent_");
    keyValues(m, meta.path("annotations"), PREFIX + role + "_annotation_", PREFIX + role + "_annotationpresent_");
  }

  /** Each entry of a string map as {@code prefix + sanitized key} plus its present twin. */
  static void keyValues(Map<String, String> m, JsonNode map, String prefix, String presentPrefix) {
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String ln = sanitize(e.getKey());
      put(m, prefix + ln, e.getValue().asText(""));
      m.put(presentPrefix + ln, "true");
    }
  }

  /** The text of a field, or null when missing or JSON null. */
  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  /** The text at a path of fields, or null. */
  static String text(JsonNode n, String... path) {
    JsonNode cur = n;
    for (String p : path) {
      cur = cur.path(p);
    }
    return cur.isMissingNode() || cur.isNull() || cur.isContainerNode() ? null : cur.asText();
  }

  /** The items of an array field (empty when missing). */
  static List<JsonNode> items(JsonNode n, String field) {
    JsonNode a = n.path(field);
    List<JsonNode> out = new ArrayList<>();
    if (a.isArray()) {
      a.forEach(out::add);
    }
    return out;
  }

  static String namespace(JsonNode obj) {
    String ns = text(obj.path("metadata"), "namespace");
    return ns == null ? "" : ns;
  }

  static String name(JsonNode obj) {
    String n = text(obj.path("metadata"), "name");
    return n == null ? "" : n;
  }

  /** The cache key of an object: {@code namespace/name}, or {@code name} when cluster-scoped. */
  static String key(JsonNode obj) {
    String ns = namespace(obj);
    return ns.isEmpty() ? name(obj) : ns + "/" + name(obj);
  }

  /** Go's {@code net.JoinHostPort}: IPv6 hosts in brackets. */
  static String joinHostPort(String host, String port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** The owner reference with {@code controller: true}, or null. */
  static JsonNode controllerOf(JsonNode obj) {
    for (JsonNode ref : items(obj.path("metadata"), "ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        return ref;
      }
    }
    return null;
  }
}
