package dev.kiln.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as {@code prometheus.yml} and the flags write them: {@code 100MB}, powers of 1024. */
public final class ByteSizes {
  private static final Pattern SYNTAX = Pattern.compile("^(\\d+)(B|KB|MB|GB|TB|PB|EB)?$");

  private ByteSizes() {}

  /**
   * Parses a size such as {@code 100MB} into bytes; {@code 0} (no unit needed) means none.
   *
   * @throws IllegalArgumentException for malformed input or a non-zero size without a unit
   */
  public static long parseBytes(String s) {
    Matcher m = SYNTAX.matcher(s == null ? "" : s.trim());
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
