package dev.kiln.server.rules;

import java.util.List;
import java.util.Map;

/**
 * A rule group as written in a rule file, with defaults resolved.
 *
 * @param file the rule file it came from
 * @param intervalMillis evaluation interval
 * @param limit most series (recording) or alerts (alerting) per rule, 0 for none
 * @param queryOffsetMillis how far in the past the group evaluates
 */
public record RuleGroupSpec(
    String file,
    String name,
    long intervalMillis,
    long limit,
    long queryOffsetMillis,
    Map<String, String> labels,
    List<RuleSpec> rules) {

  /** Identity of the group across reloads, as Prometheus's group key. */
  public String key() {
    return file + ";" + name;
  }
}
