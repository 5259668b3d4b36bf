package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed series description line of a test script: {@code metric{a="b"} 1+1x10 _ stale}. The
 * value notation follows Prometheus's series description grammar: {@code a+bxN} expands to N+1
 * values by repeated addition, {@code axN} repeats a N+1 times, {@code _xN} omits N positions,
 * {@code {{...}}} is a native histogram.
 */
record SeriesDescription(Labels labels, List<SequenceValue> values) {
  private static final String NUM =
      "(?:[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\\.|[Ii][Nn][Ff]|[Nn][Aa][Nn])";
  private static final Pattern EXPANDED =
      Pattern.compile("^([+-]?" + NUM + ")(?:([+-]" + NUM + "))?x([0-9]+)$");
  private static final Pattern SINGLE = Pattern.compile("^[+-]?" + NUM + "$");

  static SeriesDescription parse(String line) {
    int[] pos = {0};
    Labels labels = parseLabels(line, pos);
    String rest = line.substring(pos[0]).trim();
    return new SeriesDescription(labels, parseValues(rest));
  }

  /** Parses {@code metric{...}} or {@code {...}} at pos; pos is advanced past it. */
  static Labels parseLabels(String s, int[] pos) {
    Labels.Builder b = Labels.builder();
    int i = pos[0];
    int start = i;
    while (i < s.length() && isNameChar(s.charAt(i), i == start)) {
      i++;
    }
    if (i > start) {
      b.set(Labels.METRIC_NAME, s.substring(start, i));
    }
    if (i < s.length() && s.charAt(i) == '{') {
      i++;
      while (true) {
        i = skipSpace(s, i);
        if (s.charAt(i) == '}') {
          i++;
          break;
        }
        String name;
        if (s.charAt(i) == '"') {
          int[] p = {i};
          name = readQuoted(s, p);
          i = p[0];
        } else {
          int ns = i;
          while (i < s.length() && isNameChar(s.charAt(i), i == ns)) {
            i++;
          }
          name = s.substring(ns, i);
        }
        i = skipSpace(s, i);
        if (s.charAt(i) == ',' || s.charAt(i) == '}') {
          // A bare quoted name is the metric name: {"metric.name"}.
          b.set(Labels.METRIC_NAME, name);
          if (s.charAt(i) == ',') {
            i++;
          }
          continue;
        }
        if (s.charAt(i) != '=') {
          throw new IllegalArgumentException("expected '=' in labels: " + s);
        }
        i = skipSpace(s, i + 1);
        int[] p = {i};
        String value = readQuoted(s, p);
        i = skipSpace(s, p[0]);
        b.set(name, value);
        if (s.charAt(i) == ',') {
          i++;
        }
      }
    }
    pos[0] = i;
    return b.build();
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (!first && c >= '0' && c <= '9');
  }

  /** Reads a Go-quoted string ("..." or '...' or `...`) at pos[0]. */
  static String readQuoted(String s, int[] pos) {
    int i = pos[0];
    char q = s.charAt(i);
    if (q != '"' && q != '\'' && q != '`') {
      throw new IllegalArgumentException("expected quoted string at " + i + ": " + s);
    }
    i++;
    StringBuilder sb = new StringBuilder();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    while (s.charAt(i) != q) {
      char c = s.charAt(i);
      if (c == '\\' && q != '`') {
        char e = s.charAt(i + 1);
        i += 2;
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'a' -> sb.append('\u0007');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'v' -> sb.append('\u000b');
          case '\\' -> sb.append('\\');
          case '"' -> sb.append('"');
          case '\'' -> sb.append('\'');
          case 'x' -> {
            bytes.reset();
            bytes.write(Integer.parseInt(s.substring(i, i + 2), 16));
            i += 2;
            while (i + 3 < s.length() && s.charAt(i) == '\\' && s.charAt(i + 1) == 'x') {
              bytes.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
              i += 4;
            }
            sb.append(new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
          }
          case 'u' -> {
            sb.appendCodePoint(Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          case 'U' -> {
            sb.appendCodePoint(Integer.parseInt(s.substring(i, i + 8), 16));
            i += 8;
          }
          default -> {
            if (e >= '0' && e <= '7') {
              sb.append((char) Integer.parseInt(s.substring(i - 1, i + 2), 8));
              i += 2;
            } else {
              throw new IllegalArgumentException("unknown escape \\" + e + " in " + s);
            }
          }
        }
      } else {
        sb.append(c);
        i++;
      }
    }
    pos[0] = i + 1;
    return sb.toString();
  }

  static List<SequenceValue> parseValues(String s) {
    List<SequenceValue> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      i = skipSpace(s, i);
      if (i >= s.length()) {
        break;
      }
      if (s.startsWith("{{", i)) {
        int[] pos = {i};
        HistogramNotation.parse(s, pos, out);
        i = pos[0];
        continue;
      }
      int j = i;
      while (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
        j++;
      }
      addItem(s.substring(i, j), out);
      i = j;
    }
    return out;
  }

  private static void addItem(String item, List<SequenceValue> out) {
    if (item.equals("_")) {
      out.add(SequenceValue.OMITTED);
      return;
    }
    if (item.startsWith("_x")) {
      int n = Integer.parseInt(item.substring(2));
      for (int k = 0; k < n; k++) {
        out.add(SequenceValue.OMITTED);
      }
      return;
    }
    if (item.equals("stale")) {
      out.add(SequenceValue.of(StaleNaN.VALUE));
      return;
    }
    if (SINGLE.matcher(item).matches()) {
      out.add(SequenceValue.of(parseNumber(item)));
      return;
    }
    Matcher m = EXPANDED.matcher(item);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad series value: " + item);
    }
    double v = parseNumber(m.group(1));
    double delta = m.group(2) == null ? 0 : parseNumber(m.group(2));
    int times = Integer.parseInt(m.group(3));
    for (int k = 0; k <= times; k++) {
      out.add(SequenceValue.of(v));
      v += delta;
    }
  }

  /** Parses a PromQL-style number: decimal, hex, Inf, NaN, with an optional sign. */
  static double parseNumber(String s) {
    String t = s;
    boolean neg = false;
    if (t.startsWith("+")) {
      t = t.substring(1);
    } else if (t.startsWith("-")) {
      neg = true;
      t = t.substring(1);
    }
    double v;
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf") || lower.equals("infinity")) {
      v = Double.POSITIVE_INFINITY;
    } else if (lower.equals("nan")) {
      v = Double.NaN;
    } else if (lower.startsWith("0x")) {
      v = Long.parseLong(t.substring(2), 16);
    } else {
      v = Double.parseDouble(t);
    }
    return neg ? -v : v;
  }
}
