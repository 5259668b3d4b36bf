package dev.kiln.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A group of targets sharing labels, as in {@code static_configs}, file SD files and Kubernetes
 * discovery.
 *
 * @param targets the targets' addresses ({@code __address__})
 * @param labels labels common to every target; a target's own labels win
 * @param source where the group came from (for replacing groups on rediscovery)
 * @param targetLabels per-target labels besides the address, parallel to {@code targets}; empty
 *     when no target has any
 */
public record TargetGroup(List<String> targets, Map<String, String> labels, String source,
    List<Map<String, String>> targetLabels) {
  public TargetGroup {
    targets = List.copyOf(targets);
    labels = Map.copyOf(labels);
    List<Map<String, String>> copy = new ArrayList<>(targetLabels.size());
    for (Map<String, String> m : targetLabels) {
      copy.add(Map.copyOf(m));
    }
    targetLabels = List.copyOf(copy);
    if (!targetLabels.isEmpty() && targetLabels.size() != targets.size()) {
      throw new IllegalArgumentException("BUG: " + targetLabels.size() + " target label sets for " + targets.size() + " targets");
    }
  }

  /** A group whose targets carry no labels of their own. */
  public TargetGroup(List<String> targets, Map<String, String> labels, String source) {
    this(targets, labels, source, List.of());
  }

  /** The own labels of target {@code i} (without {@code __address__}). */
  public Map<String, String> labelsOf(int i) {
    return targetLabels.isEmpty() ? Map.of() : targetLabels.get(i);
  }

  static TargetGroup parse(YamlNode n, String source) {
    List<String> targets = n.strings("targets");
    Map<String, String> labels = n.stringMap("labels");
    n.rejectUnknownKeys("static_config");
    for (String t : targets) {
      if (t.contains("/")) {
        throw n.error("\"" + t + "\" is not a valid hostname");
      }
    }
    return new TargetGroup(targets, labels, source);
  }
}
