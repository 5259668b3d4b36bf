package dev.kiln.scraper.discovery.kubernetes;

import dev.kiln.config.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects one target group: common labels plus per-target label sets holding {@code __address__}. */
final class GroupBuilder {
  final String source;
  final Map<String, String> labels = new LinkedHashMap<>();
  private final List<Map<String, String>> targets = new ArrayList<>();

  GroupBuilder(String source) {
    this.source = source;
  }

  /** Adds a target; the map must hold {@code __address__} (or it is reported as having none). */
  void target(Map<String, String> t) {
    targets.add(t);
  }

  TargetGroup build() {
    List<String> addresses = new ArrayList<>(targets.size());
    List<Map<String, String>> own = new ArrayList<>(targets.size());
    for (Map<String, String> t : targets) {
      Map<String, String> rest = new LinkedHashMap<>(t);
      String a = rest.remove(MetaLabels.ADDRESS);
      addresses.add(a == null ? "" : a);
      own.add(rest);
    }
    return new TargetGroup(addresses, labels, source, own);
  }

  /** The group that removes every target of {@code source}. */
  static TargetGroup empty(String source) {
    return new TargetGroup(List.of(), Map.of(), source);
  }
}
