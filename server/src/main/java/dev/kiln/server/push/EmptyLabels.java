package dev.kiln.server.push;

import java.util.ArrayList;
import java.util.List;

/**
 * The names of the labels written with an empty value ({@code container=""}) in a series of the
 * text format, which the parser's label sets leave out but the Pushgateway keeps.
 */
final class EmptyLabels {
  private EmptyLabels() {}

  /** @param rawSeries a well-formed series as written: name and optional label block */
  static List<String> in(String rawSeries) {
    int i = rawSeries.indexOf('{');
    if (i < 0 || rawSeries.indexOf("=\"\"", i) < 0) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    i++;
    while (i < rawSeries.length()) {
      while (i < rawSeries.length() && (rawSeries.charAt(i) == ',' || Character.isWhitespace(rawSeries.charAt(i)))) {
        i++;
      }
      int eq = rawSeries.indexOf('=', i);
      if (eq < 0 || rawSeries.charAt(i) == '}') {
        break;
      }
      String name = rawSeries.substring(i, eq).strip();
      int q = rawSeries.indexOf('"', eq);
      if (q < 0) {
        break;
      }
      int v = q + 1;
      while (v < rawSeries.length() && rawSeries.charAt(v) != '"') {
        v += rawSeries.charAt(v) == '\\' ? 2 : 1;
      }
      if (v == q + 1) {
        out.add(name);
      }
      i = v + 1;
    }
    return out;
  }
}
