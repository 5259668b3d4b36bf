package dev.kiln.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's duration syntax ({@code 1h30m}, {@code 15s}, {@code 500ms}, {@code 0}): units y, w,
 * d, h, m, s, ms, each at most once and in that order, integers only.
 */
public final class Durations {
  private static final Pattern SYNTAX =
      Pattern.compile("^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");
  private static final long[] UNIT_MILLIS = {
    365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1
  };
  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};

  private Durations() {}

  /**
   * Parses a duration into milliseconds.
   *
   * @throws IllegalArgumentException with Prometheus's message for malformed input
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

  /** Canonical form, largest units first: 90 s → {@code 1m30s}, 0 → {@code 0s}. */
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
      long n = millis / UNIT_MILLIS[i];
      if (n > 0) {
        sb.append(n).append(UNITS[i]);
        millis -= n * UNIT_MILLIS[i];
      }
    }
    return sb.toString();
  }

  /** Parses a size such as {@code 100MB} (powers of 1024) into bytes; {@code 0} means none. */
  public static long parseBytes(String s) {
    Matcher m = Pattern.compile("^(\\d+)(B|KB|MB|GB|TB|PB|EB)?$").matcher(s == null ? "" : s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a valid size: \"" + s + "\"");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    int shift =
        switch (unit) {
          case "KB" -> 10;
          case "MB" -> 20;
          case "GB" -> 30;
          case "TB" -> 40;
          case "PB" -> 50;
          case "EB" -> 60;
          default -> 0;
        };
    if (m.group(2) == null && n != 0) {
      throw new IllegalArgumentException("not a valid size: \"" + s + "\" (a unit is required)");
    }
    return n << shift;
  }
}
