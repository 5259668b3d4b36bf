package dev.kiln.server.rules;

import java.util.Map;

/**
 * One rule as written in a rule file: a recording rule ({@code record} set) or an alerting rule
 * ({@code alert} set). Durations in milliseconds.
 */
public record RuleSpec(
    String record,
    String alert,
    String expr,
    long forMillis,
    long keepFiringForMillis,
    Map<String, String> labels,
    Map<String, String> annotations) {

  public boolean isAlerting() {
    return alert != null;
  }

  /** The rule's name: the recorded metric or the alert name. */
  public String name() {
    return alert != null ? alert : record;
  }
}
