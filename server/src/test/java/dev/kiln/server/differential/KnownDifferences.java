package dev.kiln.server.differential;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documented, deliberate differences between Kiln and Prometheus 2.42 in one differential
 * test (test resource {@code differential/known-differences/<name>.txt}): each line is a text
 * that a difference contains (or, after {@code = }, the whole difference), a {@code |}, and the
 * Prometheus 3.x behaviour (with its source) that Kiln follows instead. Every difference must match an entry and every entry must match a
 * difference, so the list can neither hide a new difference nor outlive a fixed one.
 */
final class KnownDifferences {
  private final Map<String, String> entries = new LinkedHashMap<>();

  private KnownDifferences(String text) {
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int bar = line.indexOf(" | ");
      if (bar < 0) {
        throw new IllegalArgumentException("a known difference needs ' | ' and its reason: " + line);
      }
      String key = line.substring(0, bar);
      entries.put(key.startsWith("= ") ? key : key.strip(), line.substring(bar + 3).strip());
    }
  }

  static KnownDifferences load(String name) {
    try (var in = KnownDifferences.class.getResourceAsStream("/differential/known-differences/" + name + ".txt")) {
      if (in == null) {
        throw new IllegalArgumentException("no known-differences file " + name);
      }
      return new KnownDifferences(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The differences no entry explains, then the entries no difference matched (as "stale: ..."). */
  List<String> unexplained(List<String> differences) {
    List<String> out = new ArrayList<>();
    Map<String, Integer> used = new LinkedHashMap<>();
    for (String d : differences) {
      String match = null;
      for (String key : entries.keySet()) {
        if (key.startsWith("= ") ? d.equals(key.substring(2)) : d.contains(key)) {
          match = key;
          break;
        }
      }
      if (match == null) {
        out.add(d);
      } else {
        used.merge(match, 1, Integer::sum);
      }
    }
    for (String key : entries.keySet()) {
      if (!used.containsKey(key)) {
        out.add("stale known difference (nothing differs any more): " + key);
      }
    }
    return out;
  }

  int size() {
    return entries.size();
  }
}
