package dev.kiln.promql.engine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Warnings and infos collected while evaluating one query, de-duplicated and in insertion order.
 * Texts are formatted as Prometheus's annotations: {@code PromQL warning: ... (line:col)}.
 * Single-thread.
 */
final class Annotations {
  private final String query;
  private final Set<String> warnings = new LinkedHashSet<>();
  private final Set<String> infos = new LinkedHashSet<>();

  Annotations(String query) {
    this.query = query;
  }

  void warn(String text, int pos) {
    warnings.add("PromQL warning: " + text + position(pos));
  }

  void info(String text, int pos) {
    infos.add("PromQL info: " + text + position(pos));
  }

  /** A warning reported by the storage while reading (passed on as is). */
  void storageWarning(String text) {
    warnings.add(text);
  }

  /** An empty collection for the same query text (for work evaluated apart and merged later). */
  Annotations sibling() {
    return new Annotations(query);
  }

  /** Adds another collection's warnings and infos after these, in its order, as if recorded here. */
  void addAll(Annotations other) {
    warnings.addAll(other.warnings);
    infos.addAll(other.infos);
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  List<String> infos() {
    return List.copyOf(infos);
  }

  private String position(int pos) {
    if (query == null || query.isEmpty()) {
      return " (unknown position)";
    }
    if (pos < 0 || pos > query.length()) {
      return " (invalid position)";
    }
    String before = query.substring(0, pos);
    int lastBreak = before.lastIndexOf('\n');
    int line = 0;
    for (int i = 0; i < before.length(); i++) {
      if (before.charAt(i) == '\n') {
        line++;
      }
    }
    return " (" + (line + 1) + ":" + (pos - lastBreak) + ")";
  }
}
