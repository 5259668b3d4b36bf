package dev.kiln.scraper.parse;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the Prometheus text format (0.0.4 and 1.0.0) and OpenMetrics 1.0 text, straight from the
 * UTF-8 bytes of the body. The whole body is validated as one unit: on the first error an
 * {@link ExpositionException} names the line and reason, and callers must discard what the sink
 * received. Single-use, single-thread.
 *
 * <p>With a {@link SeriesCacheSink}, a sample line whose series text the sink already knows costs
 * a scan to the end of its label block, one hash and the value: no label parsing, no strings.
 */
public final class ExpositionParser implements ParsedSeries {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** Powers of ten that are exact doubles. */
  private static final double[] POW10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22
  };

  /**
   * The text dialects: the Prometheus text format (0.0.4) as Prometheus's scrape parser reads it,
   * OpenMetrics, and the text format as the Pushgateway's push parser reads it (a second
   * {@code # HELP} or {@code # TYPE} line for a family is an error there, while a scrape takes
   * the last one).
   */
  public enum Format {
    PROMETHEUS_TEXT,
    OPENMETRICS,
    PUSHGATEWAY_TEXT
  }

  private final Format format;
  private final SeriesCacheSink sink;
  private final Map<String, MetricType> types = new HashMap<>();
  private final Map<String, String> helps = new HashMap<>();
  private final Map<String, String> units = new HashMap<>();
  private final Set<String> reportedMetadata = new HashSet<>();

  private byte[] text;
  private int lineNo;
  private int pos;
  private int lineEnd;
  private String metricName;
  private final List<String> labelPairs = new ArrayList<>();
  private Labels labels;

  private ExpositionParser(Format format, SeriesCacheSink sink) {
    this.format = format;
    this.sink = sink;
  }

  /** Parses a whole body: {@code body[0, length)}, UTF-8. */
  public static void parse(byte[] body, int length, Format format, ExpositionSink sink) {
    new ExpositionParser(format, new PlainSink(sink)).run(body, length);
  }

  /** Parses a whole body given as text. */
  public static void parse(String body, Format format, ExpositionSink sink) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    parse(b, b.length, format, sink);
  }

  /** Parses a whole body ({@code body[0, length)}, UTF-8) into a sink that caches by series text. */
  public static void parse(byte[] body, int length, Format format, SeriesCacheSink sink) {
    new ExpositionParser(format, sink).run(body, length);
  }

  /**
   * A hash of the series text {@code buf[start, end)} for {@link SeriesCacheSink} implementations:
   * 8 bytes at a time, well mixed in all 32 bits.
   */
  public static int hash(byte[] buf, int start, int end) {
    long h = 0x9E3779B97F4A7C15L ^ (end - start);
    int i = start;
    for (; i + 8 <= end; i += 8) {
      h = (h ^ (long) LONGS.get(buf, i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 29;
    }
    long tail = 0;
    for (int k = 0; i < end; i++, k += 8) {
      tail |= (buf[i] & 0xffL) << k;
    }
    h = (h ^ tail) * 0x94D049BB133111EBL;
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 32));
  }

  /** Adapts an {@link ExpositionSink}: every series is new; the series text becomes a string. */
  private static final class PlainSink implements SeriesCacheSink {
    private final ExpositionSink sink;
    private String raw;
    private ParsedSeries series;

    PlainSink(ExpositionSink sink) {
      this.sink = sink;
    }

    @Override
    public int cached(byte[] buf, int start, int end) {
      return -1;
    }

    @Override
    public int newSeries(byte[] buf, int start, int end, ParsedSeries series) {
      this.raw = new String(buf, start, end - start, StandardCharsets.UTF_8);
      this.series = series;
      return 0;
    }

    @Override
    public void sample(int entry, double value, long timestampMillis) {
      sink.sample(raw, series, value, timestampMillis);
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
      sink.metadata(family, type, help, unit);
    }
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

  private void run(byte[] body, int n) {
    this.text = body;
    boolean om = format == Format.OPENMETRICS;
    boolean sawEof = false;
    int start = 0;
    while (start < n) {
      lineNo++;
      int nl = start;
      while (nl < n && body[nl] != '\n') {
        nl++;
      }
      lineEnd = nl;
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

  /**
   * An error worded as OpenMetrics parsing words it ({@code om}), or, for the text format, as
   * Prometheus 2.42's text parser ({@code textparse.PromParser}) does: {@code prom}, checked
   * against a real Prometheus in {@code TextParseErrorTest}.
   */
  private ExpositionException err(String om, String prom) {
    return err(format == Format.OPENMETRICS ? om : prom);
  }

  /** Prometheus's text lexer's name for the token at {@code p}: {@code BCLOSE}, {@code COMMA} or {@code INVALID}. */
  private String tokenAt(int p) {
    if (p < lineEnd && at(p) == '}') {
      return "\"BCLOSE\"";
    }
    if (p < lineEnd && at(p) == ',') {
      return "\"COMMA\"";
    }
    return "\"INVALID\"";
  }

  private void parsePrometheusLine() {
    skipBlanks();
    if (pos >= lineEnd) {
      return;
    }
    if (at(pos) == '#') {
      pos++;
      skipBlanks();
      int wordStart = pos;
      while (pos < lineEnd && !isBlank(at(pos))) {
        pos++;
      }
      String word = str(wordStart, pos);
      if (word.equals("HELP") || word.equals("TYPE")) {
        skipBlanks();
        if (pos >= lineEnd || !isMetricNameChar(at(pos), true)) {
          throw err("expected metric name after " + word + ", got \"INVALID\"");
        }
        String name = readMetricNameToken();
        if (word.equals("HELP")) {
          if (pos < lineEnd) {
            if (!isBlank(at(pos))) {
              throw err("invalid metric name in HELP line");
            }
            pos++;
          }
          String doc = unescapeHelp(str(pos, lineEnd), false);
          if (helps.put(name, doc) != null && format == Format.PUSHGATEWAY_TEXT) {
            throw err("second HELP line for metric name \"" + name + "\"");
          }
        } else {
          skipBlanks();
          String t = str(pos, lineEnd).trim();
          MetricType type = switch (t) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "untyped" -> MetricType.UNKNOWN;
            default -> throw err("invalid metric type \"" + t + "\"");
          };
          if (types.put(name, type) != null && format == Format.PUSHGATEWAY_TEXT) {
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
    if (at(pos) == '#') {
      if (pos + 1 < lineEnd && at(pos + 1) != ' ') {
        throw err("comment lines must start with \"# \"");
      }
      int restStart = Math.min(pos + 2, lineEnd);
      if (lineEnd - restStart == 3 && at(restStart) == 'E' && at(restStart + 1) == 'O' && at(restStart + 2) == 'F') {
        return true;
      }
      int sp = restStart;
      while (sp < lineEnd && at(sp) != ' ') {
        sp++;
      }
      if (sp >= lineEnd) {
        throw err("invalid comment line \"" + str(pos, lineEnd) + "\"");
      }
      String word = str(restStart, sp);
      pos = sp + 1;
      String name = readMetricNameToken();
      String value = "";
      if (pos < lineEnd) {
        if (at(pos) != ' ') {
          throw err("invalid metric name in " + word + " line");
        }
        value = str(pos + 1, lineEnd);
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
    int seriesEnd = scanSeries(om);
    int entry = -1;
    if (seriesEnd > seriesStart) {
      entry = sink.cached(text, seriesStart, seriesEnd);
    }
    if (entry >= 0) {
      pos = seriesEnd;
    } else {
      parseSeries(om);
      if (pos != seriesEnd) {
        throw new IllegalStateException("BUG: series text scan ended at " + seriesEnd + ", series parse at " + pos);
      }
    }
    if (pos >= lineEnd || !isBlank(at(pos))) {
      throw err("expected a value after the series, got " + describeRest(), "expected value after metric, got \"INVALID\"");
    }
    if (om && at(pos) != ' ') {
      throw err("OpenMetrics requires exactly one space between tokens");
    }
    skipSeparator(om);
    int valueStart = pos;
    skipToken();
    double value = parseValue(valueStart, pos);
    long ts = ExpositionSink.NO_TIMESTAMP;
    if (pos < lineEnd) {
      skipSeparator(om);
      if (pos < lineEnd && at(pos) != '#') {
        int tsStart = pos;
        skipToken();
        ts = om ? parseOpenMetricsTimestamp(str(tsStart, pos)) : parsePrometheusTimestamp(tsStart, pos);
        if (pos < lineEnd) {
          skipSeparator(om);
        }
      }
      if (pos < lineEnd) {
        if (om && at(pos) == '#') {
          checkExemplar();
        } else {
          String rest = describeRest();
          throw err("unexpected text after the sample: " + rest,
              "expected next entry after timestamp, got " + (Character.isDigit(at(pos)) || at(pos) == '-' ? "\"TIMESTAMP\"" : "\"INVALID\""));
        }
      }
    }
    if (entry < 0) {
      entry = sink.newSeries(text, seriesStart, seriesEnd, this);
    }
    sink.sample(entry, value, ts);
    if (exemplarLabels != null) {
      Labels el = exemplarLabels;
      exemplarLabels = null;
      sink.exemplar(el, exemplarValue, exemplarTs);
    }
  }

  /** Parses and validates the series (name and label block) at {@code pos}, for {@link #labels()}. */
  private void parseSeries(boolean om) {
    labelPairs.clear();
    labels = null;
    if (at(pos) == '{') {
      metricName = null;
      parseLabelBlock(om);
    } else {
      metricName = readMetricNameToken();
      int afterName = pos;
      if (!om) {
        skipBlanks();
      }
      if (pos < lineEnd && at(pos) == '{') {
        parseLabelBlock(om);
      } else {
        pos = afterName;
      }
    }
    if (metricName == null || metricName.isEmpty()) {
      throw err("missing metric name", "\"INVALID\" is not a valid start token");
    }
    int seriesEnd = pos;
    normalizeBounds();
    pos = seriesEnd;
  }

  /**
   * Where the series text starting at {@code pos} ends, without validating it: after the metric
   * name, or after the label block's closing brace (quoted strings and their escapes are skipped
   * exactly as {@link #readQuoted()} does). Returns -1 when no series text can end on this line.
   * Leaves {@code pos} unchanged. Whenever {@link #parseSeries} succeeds it ends at the same place.
   */
  private int scanSeries(boolean om) {
    int p = pos;
    if (at(p) != '{') {
      while (p < lineEnd && isMetricNameChar(at(p), p == pos)) {
        p++;
      }
      if (p == pos) {
        return -1;
      }
      int afterName = p;
      if (!om) {
        while (p < lineEnd && isBlank(at(p))) {
          p++;
        }
      }
      if (p >= lineEnd || at(p) != '{') {
        return afterName;
      }
    }
    p++; // '{'
    while (p < lineEnd) {
      byte c = text[p];
      if (c == '}') {
        return p + 1;
      }
      if (c == '"') {
        p++;
        while (true) {
          if (p >= lineEnd) {
            return -1;
          }
          byte q = text[p];
          if (q == '"') {
            break;
          }
          p += q == '\\' && p + 1 < lineEnd ? 2 : 1;
        }
      }
      p++;
    }
    return -1;
  }

  /**
   * A sample value: plain decimals of up to 15 digits directly from the bytes (exact: the digits
   * and the power of ten are both exact doubles, so one division rounds correctly, as a full
   * parse does); everything else through {@link GoFloats#parse}.
   */
  private double parseValue(int start, int end) {
    int i = start;
    boolean neg = false;
    if (i < end && text[i] == '-') {
      neg = true;
      i++;
    }
    long m = 0;
    int digits = 0;
    int fraction = 0;
    boolean dot = false;
    for (; i < end; i++) {
      int d = text[i] - '0';
      if (d >= 0 && d <= 9) {
        m = m * 10 + d;
        digits++;
        if (dot) {
          fraction++;
        }
      } else if (text[i] == '.' && !dot) {
        dot = true;
      } else {
        digits = -1;
        break;
      }
    }
    if (digits > 0 && digits <= 15) {
      double v = fraction == 0 ? (double) m : (double) m / POW10[fraction];
      return neg ? -v : v;
    }
    String valueText = str(start, end);
    try {
      return GoFloats.parse(valueText);
    } catch (NumberFormatException e) {
      throw err("invalid value \"" + valueText + "\"", "strconv.ParseFloat: parsing \"" + valueText + "\": invalid syntax");
    }
  }

  /** The exemplar of the sample line being read (labels null when none), handed over after the sample. */
  private Labels exemplarLabels;
  private double exemplarValue;
  private long exemplarTs;

  private void checkExemplar() {
    // "# {labels} value [timestamp]": validated, then handed to the sink after the sample.
    pos++;
    if (pos >= lineEnd || at(pos) != ' ') {
      throw err("invalid exemplar");
    }
    pos++;
    if (pos >= lineEnd || at(pos) != '{') {
      throw err("invalid exemplar: expected a label set");
    }
    String savedName = metricName;
    List<String> saved = new ArrayList<>(labelPairs);
    metricName = "";
    labelPairs.clear();
    parseLabelBlock(true);
    Labels.Builder eb = Labels.builder();
    for (int i = 0; i + 1 < labelPairs.size(); i += 2) {
      eb.set(labelPairs.get(i), labelPairs.get(i + 1));
    }
    labelPairs.clear();
    labelPairs.addAll(saved);
    metricName = savedName;
    if (pos >= lineEnd || at(pos) != ' ') {
      throw err("invalid exemplar: expected a value");
    }
    pos++;
    String v = readToken();
    double value;
    try {
      value = GoFloats.parse(v);
    } catch (NumberFormatException e) {
      throw err("invalid exemplar value \"" + v + "\"");
    }
    long ets = ExpositionSink.NO_TIMESTAMP;
    if (pos < lineEnd) {
      pos++;
      String tsText = readToken();
      parseOpenMetricsTimestamp(tsText);
      // Prometheus's OpenMetrics parser: int64(ts * 1000).
      ets = (long) (GoFloats.parse(tsText) * 1000.0);
    }
    if (pos < lineEnd) {
      throw err("unexpected text after the exemplar");
    }
    exemplarLabels = eb.build();
    exemplarValue = value;
    exemplarTs = ets;
  }

  private long parsePrometheusTimestamp(int start, int end) {
    int i = start < end && text[start] == '-' ? start + 1 : start;
    if (end > i && end - i <= 18) {
      long v = 0;
      for (int k = i; k < end; k++) {
        int d = text[k] - '0';
        if (d < 0 || d > 9) {
          return parsePrometheusTimestamp(str(start, end));
        }
        v = v * 10 + d;
      }
      return i > start ? -v : v;
    }
    return parsePrometheusTimestamp(str(start, end));
  }

  /**
   * A text-format timestamp, with Prometheus's texts for what its lexer makes of a bad one: no
   * digit first is no timestamp, digits followed by other text are a timestamp followed by junk,
   * and too many digits overflow its {@code strconv.ParseInt}.
   */
  private long parsePrometheusTimestamp(String s) {
    int start = !s.isEmpty() && s.charAt(0) == '-' ? 1 : 0;
    if (s.length() == start || s.charAt(start) < '0' || s.charAt(start) > '9') {
      throw err("invalid timestamp \"" + s + "\"", "expected timestamp or new record, got \"INVALID\"");
    }
    for (int i = start; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        throw err("invalid timestamp \"" + s + "\"", "expected next entry after timestamp, got \"INVALID\"");
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw err("invalid timestamp \"" + s + "\"", "strconv.ParseInt: parsing \"" + s + "\": value out of range");
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
        labelPairs.set(i + 1, normalizeBound(labelPairs.get(i + 1)));
      }
    }
  }

  /**
   * Canonical {@code le}/{@code quantile} value as Prometheus 3 writes it
   * ({@link GoFloats#formatOpenMetrics}); values that do not parse are returned unchanged.
   */
  static String normalizeBound(String raw) {
    try {
      return GoFloats.formatOpenMetrics(GoFloats.parse(raw));
    } catch (NumberFormatException e) {
      return raw;
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
        throw err("unterminated label set", "expected label name, got \"INVALID\"");
      }
      char c = at(pos);
      if (c == '}') {
        pos++;
        return;
      }
      if (!first && (format != Format.PROMETHEUS_TEXT || c == ',')) {
        // Prometheus's text parser also takes a label right after the previous value without a
        // comma ({a="1" b="2"}); OpenMetrics and the Pushgateway's parser need the comma.
        if (c != ',') {
          throw err("expected ',' or '}' in label set, got " + describeRest());
        }
        pos++;
        if (!om) {
          skipBlanks();
        }
        if (pos < lineEnd && at(pos) == '}') {
          pos++;
          return;
        }
      }
      first = false;
      String name;
      if (pos < lineEnd && at(pos) == '"') {
        name = readQuoted();
        if (!om) {
          skipBlanks();
        }
        if (metricName == null && (pos >= lineEnd || at(pos) != '=')) {
          metricName = name;
          continue;
        }
      } else {
        int s = pos;
        while (pos < lineEnd && isLabelNameChar(at(pos), pos == s)) {
          pos++;
        }
        if (pos == s) {
          throw err("invalid label name, got " + describeRest(), "expected label name, got " + tokenAt(pos));
        }
        name = str(s, pos);
        if (!om) {
          skipBlanks();
        }
      }
      if (pos >= lineEnd || at(pos) != '=') {
        throw err("expected '=' after label name \"" + name + "\"", "expected equal, got " + tokenAt(pos));
      }
      pos++;
      if (!om) {
        skipBlanks();
      }
      if (pos >= lineEnd || at(pos) != '"') {
        throw err("expected a quoted label value for label \"" + name + "\"", "expected label value, got \"INVALID\"");
      }
      String value = readQuoted();
      if (!seen.add(name)) {
        throw err("duplicate label name \"" + name + "\"", "label name \"" + name + "\" is not unique: invalid sample");
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
    int s = pos;
    while (pos < lineEnd) {
      byte c = text[pos];
      if (c == '"') {
        String v = str(s, pos);
        pos++;
        return v;
      }
      if (c == '\\' && pos + 1 < lineEnd) {
        return readQuotedEscaped(s);
      }
      pos++;
    }
    throw err("unterminated quoted string", "expected label value, got \"INVALID\"");
  }

  /** The rest of {@link #readQuoted()} once an escape was seen at {@code pos}. */
  private String readQuotedEscaped(int s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(pos - s + 16);
    out.write(text, s, pos - s);
    while (pos < lineEnd) {
      byte c = text[pos];
      if (c == '"') {
        pos++;
        return out.toString(StandardCharsets.UTF_8);
      }
      if (c == '\\' && pos + 1 < lineEnd) {
        byte e = text[pos + 1];
        switch (e) {
          case '\\' -> out.write('\\');
          case '"' -> out.write('"');
          case 'n' -> out.write('\n');
          default -> {
            out.write('\\');
            out.write(e);
          }
        }
        pos += 2;
        continue;
      }
      out.write(c);
      pos++;
    }
    throw err("unterminated quoted string", "expected label value, got \"INVALID\"");
  }

  private String readMetricNameToken() {
    int s = pos;
    while (pos < lineEnd && isMetricNameChar(at(pos), pos == s)) {
      pos++;
    }
    if (pos == s) {
      throw err("invalid metric name, got " + describeRest());
    }
    return str(s, pos);
  }

  private String readToken() {
    int s = pos;
    while (pos < lineEnd && !isBlank(at(pos))) {
      pos++;
    }
    return str(s, pos);
  }

  private void skipToken() {
    while (pos < lineEnd && !isBlank(at(pos))) {
      pos++;
    }
  }

  private char at(int i) {
    return (char) (text[i] & 0xff);
  }

  private String str(int start, int end) {
    return new String(text, start, end - start, StandardCharsets.UTF_8);
  }

  private void skipSeparator(boolean om) {
    if (om) {
      if (pos < lineEnd && at(pos) == ' ') {
        pos++;
      }
      if (pos < lineEnd && isBlank(at(pos))) {
        throw err("OpenMetrics requires exactly one space between tokens");
      }
    } else {
      skipBlanks();
    }
  }

  private void skipBlanks() {
    while (pos < lineEnd && isBlank(at(pos))) {
      pos++;
    }
  }

  private String describeRest() {
    if (pos >= lineEnd) {
      return "end of line";
    }
    String rest = str(pos, lineEnd);
    rest = rest.substring(0, Math.min(rest.length(), 20));
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
