package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.model.Durations;

/**
 * Durations in test scripts ({@code eval instant at 1m}, {@code load 5m}), in ms: Prometheus's
 * duration syntax with an optional leading {@code -}.
 */
final class ScriptDuration {
  private ScriptDuration() {}

  static long parseMillis(String s) {
    String t = s.trim();
    return t.startsWith("-") && t.length() > 1 ? -Durations.parseMillis(t.substring(1)) : Durations.parseMillis(t);
  }
}
