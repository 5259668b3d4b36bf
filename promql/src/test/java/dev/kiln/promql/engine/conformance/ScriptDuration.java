package dev.kiln.promql.engine.conformance;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations in test scripts as Prometheus's {@code model.ParseDuration} (to ms). */
final class ScriptDuration {
  private static final Pattern DURATION =
      Pattern.compile(
          "^(-)?(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$");
  private static final long[] UNIT_MS = {
    365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000L, 60_000L, 1000L, 1L
  };

  private ScriptDuration() {}

  static long parseMillis(String s) {
    s = s.trim();
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || s.equals("-") || !m.matches()) {
      throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
    }
    long total = 0;
    for (int i = 0; i < UNIT_MS.length; i++) {
      String g = m.group(i + 2);
      if (g != null) {
        total += Long.parseLong(g) * UNIT_MS[i];
      }
    }
    return m.group(1) != null ? -total : total;
  }
}
