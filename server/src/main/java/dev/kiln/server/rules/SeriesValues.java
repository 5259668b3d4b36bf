package dev.kiln.server.rules;

import dev.kiln.tsdb.model.StaleNaN;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's expanding value notation of rule unit tests: {@code 1+2x3} (1 3 5 7), {@code 1-1x2}
 * (1 0 -1), {@code 5x2} (5 5 5), {@code _} (no sample), {@code _x3} (three missing samples),
 * {@code stale}, and plain numbers. A missing sample is {@code null} in the result.
 */
public final class SeriesValues {
  private static final String NUM = "(?:[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[Ii][Nn][Ff]|[Nn][Aa][Nn])";
  private static final Pattern EXPANDED = Pattern.compile("^([+-]?" + NUM + ")(?:([+-])(" + NUM + "))?x([0-9]+)$");
  private static final Pattern BLANKS = Pattern.compile("^_x([0-9]+)$");

  private SeriesValues() {}

  /** Expands the notation; throws IllegalArgumentException on bad input. */
  public static List<Double> parse(String text) {
    List<Double> out = new ArrayList<>();
    for (String tok : text.trim().split("\\s+")) {
      if (tok.isEmpty()) {
        continue;
      }
      if (tok.equals("_")) {
        out.add(null);
        continue;
      }
      if (tok.equals("stale")) {
        out.add(StaleNaN.VALUE);
        continue;
      }
      Matcher blanks = BLANKS.matcher(tok);
      if (blanks.matches()) {
        for (int i = 0; i < Integer.parseInt(blanks.group(1)); i++) {
          out.add(null);
        }
        continue;
      }
      Matcher m = EXPANDED.matcher(tok);
      if (m.matches()) {
        double start = number(m.group(1));
        double delta = m.group(3) == null ? 0 : number(m.group(3)) * (m.group(2).equals("-") ? -1 : 1);
        int times = Integer.parseInt(m.group(4));
        double v = start;
        for (int i = 0; i <= times; i++) {
          out.add(v);
          v += delta;
        }
        continue;
      }
      out.add(number(tok));
    }
    return out;
  }

  private static double number(String s) {
    String t = s.startsWith("+") ? s.substring(1) : s;
    return switch (t.toLowerCase()) {
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid value \"" + s + "\" in series values");
        }
      }
    };
  }
}
