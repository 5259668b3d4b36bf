package dev.kiln.server.otlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds Prometheus metric names from OTLP metric names, units and types, as Prometheus's
 * {@code otlptranslator.MetricNamer}: with suffixes, the unit becomes a suffix ({@code s} →
 * {@code _seconds}, {@code By/s} → {@code _bytes_per_second}), monotonic sums end in {@code _total}
 * and gauges with unit {@code 1} in {@code _ratio}; without UTF-8, every character outside
 * {@code [a-zA-Z0-9:]} separates name tokens joined by one underscore. Stateless.
 */
final class MetricNamer {
  /** UCUM units to Prometheus unit words. */
  private static final Map<String, String> UNITS = Map.ofEntries(
      Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
      Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
      Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
      Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
      Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
      Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
      Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
      Map.entry("1", ""), Map.entry("%", "percent"));

  /** The unit after a "/" to its singular word. */
  private static final Map<String, String> PER_UNITS = Map.of(
      "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

  private final boolean utf8Allowed;
  private final boolean withSuffixes;

  MetricNamer(boolean utf8Allowed, boolean withSuffixes) {
    this.utf8Allowed = utf8Allowed;
    this.withSuffixes = withSuffixes;
  }

  /**
   * The Prometheus name of a metric.
   *
   * @throws InvalidNameException when escaping leaves nothing but underscores, or nothing
   */
  String build(String name, String unit, MetricKind kind) throws InvalidNameException {
    if (utf8Allowed) {
      return withSuffixes ? utf8WithSuffixes(name, unit, kind) : name;
    }
    String out = withSuffixes ? normalize(name, unit, kind) : escapeOnly(name);
    if (out.isEmpty()) {
      throw new InvalidNameException("normalization for metric \"" + name + "\" resulted in empty name");
    }
    if (!out.equals(name) && out.chars().allMatch(c -> c == '_')) {
      throw new InvalidNameException("normalization for metric \"" + name + "\" resulted in invalid name \"" + out + "\"");
    }
    return out;
  }

  /** The Prometheus word for a unit, as {@code otlptranslator.UnitNamer} ({@code By/s} → {@code bytes_per_second}). */
  String unit(String unit) {
    String[] s = unitSuffixes(unit);
    String main = utf8Allowed ? s[0] : cleanUpUnit(s[0]);
    String per = utf8Allowed ? s[1] : cleanUpUnit(s[1]);
    String u = !main.isEmpty() && !per.isEmpty() ? main + "_" + per : !main.isEmpty() ? main : per;
    if (u.startsWith("_")) {
      u = u.substring(1);
    }
    if (u.endsWith("_")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  private static String escapeOnly(String name) {
    String joined = String.join("_", tokens(name, true));
    return !joined.isEmpty() && isDigit(joined.charAt(0)) ? "_" + joined : joined;
  }

  private static String normalize(String name, String unit, MetricKind kind) {
    List<String> tokens = tokens(name, false);
    String[] s = unitSuffixes(unit);
    addUnitTokens(tokens, cleanUpUnit(s[0]), cleanUpUnit(s[1]));
    if (kind == MetricKind.MONOTONIC_COUNTER) {
      tokens.removeIf("total"::equals);
      tokens.add("total");
    }
    if (unit.equals("1") && kind == MetricKind.GAUGE) {
      tokens.removeIf("ratio"::equals);
      tokens.add("ratio");
    }
    String joined = String.join("_", tokens);
    return !joined.isEmpty() && isDigit(joined.charAt(0)) ? "_" + joined : joined;
  }

  private static void addUnitTokens(List<String> tokens, String main, String per) {
    if (tokens.contains(main)) {
      main = "";
    }
    if (per.equals("per_")) {
      per = "";
    } else {
      per = trimTrailingUnderscore(per);
      if (tokens.contains(per)) {
        per = "";
      }
    }
    if (!per.isEmpty()) {
      main = trimTrailingUnderscore(main);
    }
    if (!main.isEmpty()) {
      tokens.add(main);
    }
    if (!per.isEmpty()) {
      tokens.add(per);
    }
  }

  private static String utf8WithSuffixes(String name, String unit, MetricKind kind) {
    String[] s = unitSuffixes(unit);
    String suffix = "";
    if (unit.equals("1") && kind == MetricKind.GAUGE) {
      name = trimSuffixAndDelimiter(name, "ratio");
      suffix = "_ratio";
    }
    if (kind == MetricKind.MONOTONIC_COUNTER) {
      name = trimSuffixAndDelimiter(name, "total");
      suffix = "_total" + suffix;
    }
    if (!s[1].isEmpty()) {
      name = trimSuffixAndDelimiter(name, s[1]);
      suffix = "_" + s[1] + suffix;
    }
    if (!s[0].isEmpty() && !name.endsWith(s[0])) {
      name = name + "_" + s[0];
    }
    return name + suffix;
  }

  private static String trimSuffixAndDelimiter(String name, String suffix) {
    if (name.endsWith(suffix) && name.length() > suffix.length() + 1) {
      return name.substring(0, name.length() - suffix.length() - 1);
    }
    return name;
  }

  /** The main and "per" unit words, not yet cleaned up: {@code {"bytes", "per_second"}} for {@code By/s}. */
  private static String[] unitSuffixes(String unit) {
    int slash = unit.indexOf('/');
    String mainOtel = (slash < 0 ? unit : unit.substring(0, slash)).strip();
    String main = "";
    if (!mainOtel.isEmpty() && !hasBraces(mainOtel)) {
      main = UNITS.getOrDefault(mainOtel, mainOtel);
    }
    String per = "";
    if (slash >= 0 && slash + 1 < unit.length()) {
      String perOtel = unit.substring(slash + 1).strip();
      if (!perOtel.isEmpty() && !hasBraces(perOtel)) {
        per = PER_UNITS.getOrDefault(perOtel, perOtel);
      }
      if (!per.isEmpty()) {
        per = "per_" + per;
      }
    }
    return new String[] {main, per};
  }

  private static boolean hasBraces(String s) {
    return s.indexOf('{') >= 0 || s.indexOf('}') >= 0;
  }

  /** Invalid characters (and underscores) to one underscore per run, leading underscore removed. */
  private static String cleanUpUnit(String unit) {
    StringBuilder sb = new StringBuilder(unit.length());
    unit.codePoints().forEach(c -> {
      boolean valid = isCompliantChar(c);
      if (valid) {
        sb.appendCodePoint(c);
      } else if (sb.length() == 0 || sb.charAt(sb.length() - 1) != '_') {
        sb.append('_');
      }
    });
    return sb.length() > 0 && sb.charAt(0) == '_' ? sb.substring(1) : sb.toString();
  }

  private static String trimTrailingUnderscore(String s) {
    return s.endsWith("_") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * Go's {@code strings.FieldsFunc}: the runs of characters between separators, empty runs dropped.
   * Separators are the characters outside {@code [a-zA-Z0-9:]}, plus {@code _} unless kept.
   */
  private static List<String> tokens(String name, boolean keepUnderscore) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    name.codePoints().forEach(c -> {
      if (isCompliantChar(c) || (keepUnderscore && c == '_')) {
        cur.appendCodePoint(c);
      } else if (cur.length() > 0) {
        out.add(cur.toString());
        cur.setLength(0);
      }
    });
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private static boolean isCompliantChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
