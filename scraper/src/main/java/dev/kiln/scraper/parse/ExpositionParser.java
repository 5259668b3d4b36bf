package dev.kiln.scraper.parse;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the Prometheus text format (0.0.4 and 1.0.0) and OpenMetrics 1.0 text. The whole body is
 * validated as one unit: on the first error an {@link ExpositionException} names the line and
 * reason, and callers must discard what the sink received. Single-use, single-thread.
 */
public final class ExpositionParser implements ParsedSeries {
  /** The two text dialects. */
  public enum Format {
    PROMETHEUS_TEXT,
    OPENMETRICS
  }

  private final Format format;
  private final ExpositionSink sink;
  private final Map<String, MetricType> types = new HashMap<>();
  private final Map<String, String> helps = new HashMap<>();
  private final Map<String, String> units = new HashMap<>();
  private final Set<String> reportedMetadata = new HashSet<>();

  private String text;
  private int lineNo;
  private int pos;
  private int lineEnd;
  private String metricName;
  private final List<String> labelPairs = new ArrayList<>();
  private Labels labels;

  private ExpositionParser(Format format, ExpositionSink sink) {
    this.format = format;
    this.sink = sink;
  }

  /** Parses a whole body. */
  public static void parse(byte[] body, int length, Format format, ExpositionSink sink) {
    new ExpositionParser(format, sink).run(new String(body, 0, length, StandardCharsets.UTF_8));
  }

  /** Parses a whole body given as text. */
  public static void parse(String body, Format format, ExpositionSink sink) {
    new ExpositionParser(format, sink).run(body);
  }

  /** Chooses the dialect from a Content-Type header; null when the media type is not a text format. */
  public static Format formatFor(String contentType) {
    if (contentType == null) {
      return null;
    }
    String media = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return switch (media) {
      case "text/plain" -> Format.PROMETHEUS_TEXT;
      case "application/openmetrics-text" -> Format.OPENMETRICS;
      default -> null;
    };
  }

  @Override
  public String metricName() {
    return metricName;
  }

  @Override
  public Labels labels() {
    if (labels == null) {
      Labels.Builder b = Labels.builder();
      b.set(Labels.METRIC_NAME, metricName);
      for (int i = 0; i < labelPairs.size(); i += 2) {
        b.set(labelPairs.get(i), labelPairs.get(i + 1));
      }
      labels = b.build();
    }
    return labels;
  }

  private void run(String body) {
    this.text = body;
    boolean om = format == Format.OPENMETRICS;
    boolean sawEof = false;
    int start = 0;
    int n = body.length();
    while (start < n) {
      lineNo++;
      int nl = body.indexOf('\n', start);
      lineEnd = nl < 0 ? n : nl;
      pos = start;
      if (sawEof) {
        throw err("unexpected data after # EOF");
      }
      if (om) {
        sawEof = parseOpenMetricsLine();
      } else {
        parsePrometheusLine();
      }
      start = lineEnd + 1;
    }
    if (om && !sawEof) {
      throw new ExpositionException(Math.max(lineNo, 1), "expected # EOF at the end of an OpenMetrics exposition");
    }
  }

  private ExpositionException err(String reason) {
    return new ExpositionException(lineNo, reason);
  }

  private void parsePrometheusLine() {
    skipBlanks();
    if (pos >= lineEnd) {
      return;
    }
    if (text.charAt(pos) == '#') {
      pos++;
      skipBlanks();
      int wordStart = pos;
      while (pos < lineEnd && !isBlank(text.charAt(pos))) {
        pos++;
      }
      String word = text.substring(wordStart, pos);
      if (word.equals("HELP") || word.equals("TYPE")) {
        skipBlanks();
        String name = readMetricNameToken();
        if (word.equals("HELP")) {
          if (pos < lineEnd) {
            if (!isBlank(text.charAt(pos))) {
              throw err("invalid metric name in HELP line");
            }
            pos++;
          }
          String doc = unescapeHelp(text.substring(pos, lineEnd), false);
          if (helps.put(name, doc) != null) {
            throw err("second HELP line for metric name \"" + name + "\"");
          }
        } else {
          skipBlanks();
          String t = text.substring(pos, lineEnd).trim();
          MetricType type = switch (t) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "untyped" -> MetricType.UNKNOWN;
            default -> throw err("invalid metric type \"" + t + "\"");
          };
          if (types.put(name, type) != null) {
            throw err("second TYPE line for metric name \"" + name + "\", or TYPE reported after samples");
          }
        }
        reportMetadata(name);
      }
      return;
    }
    parseSample(false);
  }

  private boolean parseOpenMetricsLine() {
    if (pos >= lineEnd) {
      throw err("empty lines are not allowed in OpenMetrics");
    }
    if (text.charAt(pos) == '#') {
      if (pos + 1 < lineEnd && text.charAt(pos + 1) != ' ') {
        throw err("comment lines must start with \"# \"");
      }
      String rest = text.substring(Math.min(pos + 2, lineEnd), lineEnd);
      if (rest.equals("EOF")) {
        return true;
      }
      int sp = rest.indexOf(' ');
      if (sp < 0) {
        throw err("invalid comment line \"" + text.substring(pos, lineEnd) + "\"");
      }
      String word = rest.substring(0, sp);
      pos += 2 + sp + 1;
      String name = readMetricNameToken();
      String value = "";
      if (pos < lineEnd) {
        if (text.charAt(pos) != ' ') {
          throw err("invalid metric name in " + word + " line");
        }
        value = text.substring(pos + 1, lineEnd);
      }
      switch (word) {
        case "HELP" -> {
          if (helps.put(name, unescapeHelp(value, true)) != null) {
            throw err("second HELP line for metric name \"" + name + "\"");
          }
        }
        case "TYPE" -> {
          MetricType t = switch (value) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "gaugehistogram" -> MetricType.GAUGE_HISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "info" -> MetricType.INFO;
            case "stateset" -> MetricType.STATESET;
            case "unknown" -> MetricType.UNKNOWN;
            default -> throw err("invalid metric type \"" + value + "\"");
          };
          if (types.put(name, t) != null) {
            throw err("second TYPE line for metric name \"" + name + "\"");
          }
        }
        case "UNIT" -> {
          if (!value.isEmpty() && !name.endsWith("_" + value)) {
            throw err("unit \"" + value + "\" is not a suffix of metric family \"" + name + "\"");
          }
          units.put(name, value);
        }
        default -> throw err("invalid comment line, expected HELP, TYPE, UNIT or EOF");
      }
      reportMetadata(name);
      return false;
    }
    parseSample(true);
    return false;
  }

  private void reportMetadata(String family) {
    reportedMetadata.add(family);
    sink.metadata(family, types.getOrDefault(family, MetricType.UNKNOWN), helps.getOrDefault(family, ""),
        units.getOrDefault(family, ""));
  }

  private void parseSample(boolean om) {
    int seriesStart = pos;
    labelPairs.clear();
    labels = null;
    if (text.charAt(pos) == '{') {
      metricName = null;
      parseLabelBlock(om);
    } else {
      metricName = readMetricNameToken();
      int afterName = pos;
      if (!om) {
        skipBlanks();
      }
      if (pos < lineEnd && text.charAt(pos) == '{') {
        parseLabelBlock(om);
      } else {
        pos = afterName;
      }
    }
    if (metricName == null || metricName.isEmpty()) {
      throw err("missing metric name");
    }
    int seriesEnd = pos;
    normalizeBounds();
    if (pos >= lineEnd || !isBlank(text.charAt(pos))) {
      throw err("expected a value after the series, got " + describeRest());
    }
    if (om && text.charAt(pos) != ' ') {
      throw err("OpenMetrics requires exactly one space between tokens");
    }
    skipSeparator(om);
    String valueText = readToken();
    double value;
    try {
      value = GoFloats.parse(valueText);
    } catch (NumberFormatException e) {
      throw err("invalid value \"" + valueText + "\"");
    }
    long ts = ExpositionSink.NO_TIMESTAMP;
    if (pos < lineEnd) {
      skipSeparator(om);
      if (pos < lineEnd && text.charAt(pos) != '#') {
        String tsText = readToken();
        ts = om ? parseOpenMetricsTimestamp(tsText) : parsePrometheusTimestamp(tsText);
        if (pos < lineEnd) {
          skipSeparator(om);
        }
      }
      if (pos < lineEnd) {
        if (om && text.charAt(pos) == '#') {
          checkExemplar();
        } else {
          throw err("unexpected text after the sample: " + describeRest());
        }
      }
    }
    sink.sample(text.substring(seriesStart, seriesEnd), this, value, ts);
  }

  private void checkExemplar() {
    // "# {labels} value [timestamp]": validated for syntax, then dropped.
    pos++;
    if (pos >= lineEnd || text.charAt(pos) != ' ') {
      throw err("invalid exemplar");
    }
    pos++;
    if (pos >= lineEnd || text.charAt(pos) != '{') {
      throw err("invalid exemplar: expected a label set");
    }
    String savedName = metricName;
    List<String> saved = new ArrayList<>(labelPairs);
    metricName = "";
    labelPairs.clear();
    parseLabelBlock(true);
    labelPairs.clear();
    labelPairs.addAll(saved);
    metricName = savedName;
    if (pos >= lineEnd || text.charAt(pos) != ' ') {
      throw err("invalid exemplar: expected a value");
    }
    pos++;
    String v = readToken();
    try {
      GoFloats.parse(v);
    } catch (NumberFormatException e) {
      throw err("invalid exemplar value \"" + v + "\"");
    }
    if (pos < lineEnd) {
      pos++;
      parseOpenMetricsTimestamp(readToken());
    }
    if (pos < lineEnd) {
      throw err("unexpected text after the exemplar");
    }
  }

  private long parsePrometheusTimestamp(String s) {
    if (s.isEmpty()) {
      throw err("invalid timestamp");
    }
    int start = s.charAt(0) == '-' ? 1 : 0;
    for (int i = start; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        throw err("invalid timestamp \"" + s + "\"");
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw err("invalid timestamp \"" + s + "\"");
    }
  }

  private long parseOpenMetricsTimestamp(String s) {
    double secs;
    try {
      secs = GoFloats.parse(s);
    } catch (NumberFormatException e) {
      throw err("invalid timestamp \"" + s + "\"");
    }
    if (Double.isNaN(secs) || Double.isInfinite(secs)) {
      throw err("invalid timestamp \"" + s + "\"");
    }
    return new java.math.BigDecimal(s).movePointRight(3).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
  }

  private void normalizeBounds() {
    String family = null;
    String boundLabel = null;
    if (metricName.endsWith("_bucket")) {
      family = metricName.substring(0, metricName.length() - 7);
      MetricType t = types.get(family);
      if (t == MetricType.HISTOGRAM || t == MetricType.GAUGE_HISTOGRAM) {
        boundLabel = "le";
      }
    }
    if (boundLabel == null && types.get(metricName) == MetricType.SUMMARY) {
      boundLabel = "quantile";
    }
    if (boundLabel == null) {
      return;
    }
    for (int i = 0; i < labelPairs.size(); i += 2) {
      if (labelPairs.get(i).equals(boundLabel)) {
        labelPairs.set(i + 1, GoFloats.normalizeBound(labelPairs.get(i + 1)));
      }
    }
  }

  private void parseLabelBlock(boolean om) {
    pos++; // '{'
    Set<String> seen = new HashSet<>();
    boolean first = true;
    while (true) {
      if (!om) {
        skipBlanks();
      }
      if (pos >= lineEnd) {
        throw err("unterminated label set");
      }
      char c = text.charAt(pos);
      if (c == '}') {
        pos++;
        return;
      }
      if (!first) {
        if (c != ',') {
          throw err("expected ',' or '}' in label set, got " + describeRest());
        }
        pos++;
        if (!om) {
          skipBlanks();
        }
        if (pos < lineEnd && text.charAt(pos) == '}') {
          pos++;
          return;
        }
      }
      first = false;
      String name;
      if (pos < lineEnd && text.charAt(pos) == '"') {
        name = readQuoted();
        if (!om) {
          skipBlanks();
        }
        if (metricName == null && (pos >= lineEnd || text.charAt(pos) != '=')) {
          metricName = name;
          continue;
        }
      } else {
        int s = pos;
        while (pos < lineEnd && isLabelNameChar(text.charAt(pos), pos == s)) {
          pos++;
        }
        if (pos == s) {
          throw err("invalid label name, got " + describeRest());
        }
        name = text.substring(s, pos);
        if (!om) {
          skipBlanks();
        }
      }
      if (pos >= lineEnd || text.charAt(pos) != '=') {
        throw err("expected '=' after label name \"" + name + "\"");
      }
      pos++;
      if (!om) {
        skipBlanks();
      }
      if (pos >= lineEnd || text.charAt(pos) != '"') {
        throw err("expected a quoted label value for label \"" + name + "\"");
      }
      String value = readQuoted();
      if (!seen.add(name)) {
        throw err("duplicate label name \"" + name + "\"");
      }
      if (name.equals(Labels.METRIC_NAME)) {
        throw err("label name \"__name__\" is reserved");
      }
      labelPairs.add(name);
      labelPairs.add(value);
    }
  }

  private String readQuoted() {
    pos++; // opening quote
    StringBuilder sb = null;
    int s = pos;
    while (pos < lineEnd) {
      char c = text.charAt(pos);
      if (c == '"') {
        String v = sb == null ? text.substring(s, pos) : sb.append(text, s, pos).toString();
        pos++;
        return v;
      }
      if (c == '\\' && pos + 1 < lineEnd) {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(text, s, pos);
        char e = text.charAt(pos + 1);
        switch (e) {
          case '\\' -> sb.append('\\');
          case '"' -> sb.append('"');
          case 'n' -> sb.append('\n');
          default -> sb.append('\\').append(e);
        }
        pos += 2;
        s = pos;
        continue;
      }
      pos++;
    }
    throw err("unterminated quoted string");
  }

  private String readMetricNameToken() {
    int s = pos;
    while (pos < lineEnd && isMetricNameChar(text.charAt(pos), pos == s)) {
      pos++;
    }
    if (pos == s) {
      throw err("invalid metric name, got " + describeRest());
    }
    return text.substring(s, pos);
  }

  private String readToken() {
    int s = pos;
    while (pos < lineEnd && !isBlank(text.charAt(pos))) {
      pos++;
    }
    return text.substring(s, pos);
  }

  private void skipSeparator(boolean om) {
    if (om) {
      if (pos < lineEnd && text.charAt(pos) == ' ') {
        pos++;
      }
      if (pos < lineEnd && isBlank(text.charAt(pos))) {
        throw err("OpenMetrics requires exactly one space between tokens");
      }
    } else {
      skipBlanks();
    }
  }

  private void skipBlanks() {
    while (pos < lineEnd && isBlank(text.charAt(pos))) {
      pos++;
    }
  }

  private String describeRest() {
    if (pos >= lineEnd) {
      return "end of line";
    }
    String rest = text.substring(pos, Math.min(lineEnd, pos + 20));
    return "\"" + rest + "\"";
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
  }

  private static boolean isMetricNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
  }

  private static boolean isLabelNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
  }

  private static String unescapeHelp(String s, boolean quotesToo) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(i + 1);
        if (e == '\\') {
          sb.append('\\');
          i++;
          continue;
        }
        if (e == 'n') {
          sb.append('\n');
          i++;
          continue;
        }
        if (e == '"' && quotesToo) {
          sb.append('"');
          i++;
          continue;
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
