package dev.kiln.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads Kubernetes YAML into fabric8's typed API model and rejects what the API server would not
 * accept as written: an unknown apiVersion/kind, a value of the wrong type, or any field the model
 * does not define. fabric8 keeps unknown fields in {@code getAdditionalProperties()} instead of
 * failing, so the whole object graph is walked and every such map must be empty.
 */
final class StrictKubernetesReader {
  /** The kinds the plain manifests may contain. */
  private static final List<Class<? extends HasMetadata>> KINDS = List.of(
      Namespace.class, ServiceAccount.class, ClusterRole.class, ClusterRoleBinding.class, ConfigMap.class,
      StatefulSet.class, Service.class);

  final ObjectMapper json = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

  /** Every document of a YAML stream as a JSON tree; empty documents are skipped. */
  List<JsonNode> documents(String yaml) {
    List<JsonNode> out = new ArrayList<>();
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (doc != null) {
        out.add(json.valueToTree(doc));
      }
    }
    return out;
  }

  /** One manifest as its typed object, after checking apiVersion, kind and every field. */
  HasMetadata resource(JsonNode doc) {
    String apiVersion = doc.path("apiVersion").asText();
    String kind = doc.path("kind").asText();
    for (Class<? extends HasMetadata> k : KINDS) {
      if (HasMetadata.getKind(k).equals(kind)) {
        if (!HasMetadata.getApiVersion(k).equals(apiVersion)) {
          throw new IllegalArgumentException(kind + ": apiVersion " + apiVersion + ", want " + HasMetadata.getApiVersion(k));
        }
        return strict(doc, k, kind);
      }
    }
    throw new IllegalArgumentException("unexpected kind " + kind + " (" + apiVersion + ")");
  }

  /** A tree as {@code type}, failing on any field the model does not know. */
  <T> T strict(JsonNode tree, Class<T> type, String what) {
    T value;
    try {
      value = json.treeToValue(tree, type);
    } catch (Exception e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    List<String> unknown = new ArrayList<>();
    walk(value, what, unknown);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(what + ": unknown fields " + unknown);
    }
    return value;
  }

  /** A copy of an object node, for editing. */
  ObjectNode copy(JsonNode n) {
    return (ObjectNode) n.deepCopy();
  }

  private static void walk(Object o, String path, List<String> unknown) {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), unknown);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method g : o.getClass().getMethods()) {
      if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || Modifier.isStatic(g.getModifiers())
          || g.getDeclaringClass() == Object.class || !g.getDeclaringClass().getName().startsWith("io.fabric8.")) {
        continue;
      }
      Object v;
      try {
        v = g.invoke(o);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalArgumentException(path + "." + g.getName() + ": " + e.getCause(), e);
      }
      if (g.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
          unknown.add(path + " " + m.keySet());
        }
      } else {
        walk(v, path + "." + property(g.getName()), unknown);
      }
    }
  }

  private static String property(String getter) {
    return Character.toLowerCase(getter.charAt(3)) + getter.substring(4);
  }
}
