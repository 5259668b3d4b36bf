package dev.kiln.scraper.config;

import java.util.List;
import java.util.Map;

/**
 * A group of targets sharing labels, as in {@code static_configs} and file SD files.
 *
 * @param source where the group came from (for replacing groups on rediscovery)
 */
public record TargetGroup(List<String> targets, Map<String, String> labels, String source) {
  public TargetGroup {
    targets = List.copyOf(targets);
    labels = Map.copyOf(labels);
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
