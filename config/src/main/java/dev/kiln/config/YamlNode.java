package dev.kiln.config;

import dev.kiln.tsdb.model.Durations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML node that remembers its file and line, with strict typed accessors for configuration
 * parsing: every error names the file, line and field; unknown keys of a mapping are rejected by
 * {@link #rejectUnknownKeys(String)}.
 */
public final class YamlNode {
  private final String file;
  private final Node node;
  private final Set<String> consumed = new LinkedHashSet<>();
  private Map<String, NodeTuple> entries;

  private YamlNode(String file, Node node) {
    this.file = file;
    this.node = node;
  }

  /** Parses a YAML document; an empty document is an empty mapping. */
  public static YamlNode parse(String file, String text) {
    try {
      Optional<Node> root = new Compose(LoadSettings.builder().setLabel(file).build()).composeString(text);
      return new YamlNode(file, root.orElse(null));
    } catch (YamlEngineException e) {
      throw new ConfigException(file + ": invalid YAML: " + e.getMessage().replace('\n', ' '), e);
    }
  }

  /** The 1-based line of this node, or 0 if unknown. */
  public int line() {
    if (node == null) {
      return 0;
    }
    return node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
  }

  /** A configuration error located at this node. */
  public ConfigException error(String message) {
    return new ConfigException(file + ":" + line() + ": " + message);
  }

  private Map<String, NodeTuple> entries() {
    if (entries == null) {
      entries = new LinkedHashMap<>();
      if (node == null || isNullScalar()) {
        return entries;
      }
      if (!(node instanceof MappingNode m)) {
        throw error("expected a mapping");
      }
      for (NodeTuple t : m.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          throw new YamlNode(file, t.getKeyNode()).error("mapping keys must be strings");
        }
        if (entries.put(k.getValue(), t) != null) {
          throw new YamlNode(file, t.getKeyNode()).error("field " + k.getValue() + " already set");
        }
      }
    }
    return entries;
  }

  /** The keys of this mapping, in file order. */
  public List<String> keys() {
    return new ArrayList<>(entries().keySet());
  }

  /** True when the mapping has the key (even with a null value). */
  public boolean has(String key) {
    return entries().containsKey(key);
  }

  /** The child at key, or a null node when absent. Marks the key as known. */
  public YamlNode get(String key) {
    consumed.add(key);
    NodeTuple t = entries().get(key);
    return new YamlNode(file, t == null ? null : t.getValueNode());
  }

  /** Fails when the mapping has keys that were never read. */
  public void rejectUnknownKeys(String section) {
    for (Map.Entry<String, NodeTuple> e : entries().entrySet()) {
      if (!consumed.contains(e.getKey())) {
        throw new YamlNode(file, e.getValue().getKeyNode())
            .error("field " + e.getKey() + " not found in " + section);
      }
    }
  }

  /** The scalar text, or null for a null node. */
  public String text() {
    if (node == null) {
      return null;
    }
    if (node instanceof ScalarNode s) {
      if (s.isPlain() && ("null".equals(s.getValue()) || "~".equals(s.getValue()))) {
        return null;
      }
      return s.getValue();
    }
    throw error("expected a scalar value");
  }

  public String string(String key, String def) {
    String v = get(key).text();
    return v == null ? def : v;
  }

  public long duration(String key, long defMillis) {
    YamlNode n = get(key);
    String v = n.text();
    if (v == null) {
      return defMillis;
    }
    try {
      return Durations.parseMillis(v);
    } catch (IllegalArgumentException e) {
      throw n.error(key + ": " + e.getMessage());
    }
  }

  public boolean bool(String key, boolean def) {
    YamlNode n = get(key);
    String v = n.text();
    if (v == null) {
      return def;
    }
    return switch (v) {
      case "true", "True", "TRUE" -> true;
      case "false", "False", "FALSE" -> false;
      default -> throw n.error(key + ": cannot parse \"" + v + "\" as a boolean");
    };
  }

  public long integer(String key, long def) {
    YamlNode n = get(key);
    String v = n.text();
    if (v == null) {
      return def;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw n.error(key + ": cannot parse \"" + v + "\" as an integer");
    }
  }

  public long bytes(String key, long def) {
    YamlNode n = get(key);
    String v = n.text();
    if (v == null) {
      return def;
    }
    try {
      return ByteSizes.parseBytes(v);
    } catch (IllegalArgumentException e) {
      throw n.error(key + ": " + e.getMessage());
    }
  }

  /** The items of a sequence (empty for a null node). */
  public List<YamlNode> items() {
    if (node == null || isNullScalar()) {
      return List.of();
    }
    if (!(node instanceof SequenceNode s)) {
      throw error("expected a list");
    }
    List<YamlNode> out = new ArrayList<>();
    for (Node n : s.getValue()) {
      out.add(new YamlNode(file, n));
    }
    return out;
  }

  private boolean isNullScalar() {
    return node instanceof ScalarNode s && s.isPlain() && (s.getValue().isEmpty() || "null".equals(s.getValue()) || "~".equals(s.getValue()));
  }

  /** A list of strings at key. */
  public List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    for (YamlNode n : get(key).items()) {
      String t = n.text();
      if (t == null) {
        throw n.error(key + ": null list entry");
      }
      out.add(t);
    }
    return out;
  }

  /** A mapping of string to string at key (empty when absent), in file order. */
  public Map<String, String> stringMap(String key) {
    YamlNode m = get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (m.node == null || m.isNullScalar()) {
      return out;
    }
    for (String k : m.keys()) {
      String v = m.get(k).text();
      out.put(k, v == null ? "" : v);
    }
    return out;
  }

  /** Maps each item of the list at key. */
  public <T> List<T> list(String key, Function<YamlNode, T> f) {
    List<T> out = new ArrayList<>();
    for (YamlNode n : get(key).items()) {
      out.add(f.apply(n));
    }
    return out;
  }

  /** True when this node is absent or null. */
  public boolean absent() {
    return node == null || isNullScalar();
  }
}
