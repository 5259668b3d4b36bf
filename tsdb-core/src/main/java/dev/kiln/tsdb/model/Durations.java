package dev.kiln.tsdb.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's duration syntax, the one parser and printer for {@code prometheus.yml}, flags, the
 * HTTP API and PromQL (Prometheus's {@code model.ParseDuration} and {@code Duration.String}):
 * {@code 1h30m}, {@code 15s}, {@code 500ms}, {@code 0}; units y (365 d), w, d, h, m, s, ms, each
 * at most once and in that order, integers only, no sign. Stateless and thread-safe.
 */
public final class Durations {
  private static final Pattern SYNTAX =
      Pattern.compile("^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");
  private static final long[] UNIT_MILLIS = {
    365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1
  };
  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
  /** Units written only when they divide the remainder exactly: {@code 90d}, not {@code 12w6d}. */
  private static final int EXACT_ONLY_UNITS = 2;

  private Durations() {}

  /**
   * Parses a duration into milliseconds.
   *
   * @throws IllegalArgumentException with Prometheus's message ({@code not a valid duration string:
   *     "5m1h"}, {@code duration out of range: "..."})
   */
  public static long parseMillis(String s) {
    if ("0".equals(s)) {
      return 0;
    }
    Matcher m = s == null || s.isEmpty() ? null : SYNTAX.matcher(s);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
    }
    long total = 0;
    for (int i = 0; i < UNITS.length; i++) {
      String g = m.group(i + 1);
      if (g != null) {
        try {
          total = Math.addExact(total, Math.multiplyExact(Long.parseLong(g), UNIT_MILLIS[i]));
        } catch (ArithmeticException | NumberFormatException e) {
          throw new IllegalArgumentException("duration out of range: \"" + s + "\"");
        }
      }
    }
    return total;
  }

  /**
   * Canonical form, largest units first, years and weeks only when they divide the duration
   * exactly: 90 s → {@code 1m30s}, 90 d → {@code 90d}, 14 d → {@code 2w}, 0 → {@code 0s}; a
   * negative duration gets a leading {@code -}.
   */
  public static String format(long millis) {
    if (millis == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    if (millis < 0) {
      sb.append('-');
      millis = -millis;
    }
    for (int i = 0; i < UNITS.length; i++) {
      if (i < EXACT_ONLY_UNITS && millis % UNIT_MILLIS[i] != 0) {
        continue;
      }
      long n = millis / UNIT_MILLIS[i];
      if (n > 0) {
        sb.append(n).append(UNITS[i]);
        millis -= n * UNIT_MILLIS[i];
      }
    }
    return sb.toString();
  }
}
