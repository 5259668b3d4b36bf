package dev.kiln.server.template;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Prometheus's template functions ({@code humanize}, {@code query}, {@code label}, ...). */
public final class TemplateFunctions {
  private TemplateFunctions() {}

  /** One sample of a {@code query} result, with {@code .Labels} and {@code .Value}. */
  public record QuerySample(Map<String, String> labels, double value) implements GoTemplate.TemplateFields {
    @Override
    public Object field(String name) {
      return switch (name) {
        case "Labels" -> labels;
        case "Value" -> value;
        default -> throw new TemplateException("can't evaluate field " + name + " in type *template.sample");
      };
    }
  }

  /**
   * The function map.
   *
   * @param query runs an instant PromQL query at the evaluation time
   * @param externalURL Kiln's external URL ({@code --web.external-url})
   * @param nowSeconds the evaluation time in Unix seconds
   */
  public static Map<String, TemplateFunction> create(
      Function<String, List<QuerySample>> query, String externalURL, double nowSeconds) {
    Map<String, TemplateFunction> f = new HashMap<>();
    f.put("query", a -> new ArrayList<Object>(query.apply(str(a.get(0)))));
    f.put("first", a -> {
      List<?> l = (List<?>) a.get(0);
      if (l.isEmpty()) {
        throw new TemplateException("first() called on vector with no elements");
      }
      return l.get(0);
    });
    f.put("label", a -> {
      QuerySample s = (QuerySample) a.get(1);
      String v = s.labels().get(str(a.get(0)));
      return v == null ? "" : v;
    });
    f.put("value", a -> ((QuerySample) a.get(0)).value());
    f.put("strvalue", a -> {
      String v = ((QuerySample) a.get(0)).labels().get("__value__");
      return v == null ? "" : v;
    });
    f.put("args", a -> {
      Map<String, Object> m = new HashMap<>();
      for (int i = 0; i < a.size(); i++) {
        m.put("arg" + i, a.get(i));
      }
      return m;
    });
    f.put("reReplaceAll", a -> {
      Matcher m = Pattern.compile(str(a.get(0))).matcher(str(a.get(2)));
      StringBuilder sb = new StringBuilder();
      int last = 0;
      String text = str(a.get(2));
      while (m.find()) {
        sb.append(text, last, m.start());
        sb.append(dev.kiln.tsdb.model.GoRegexExpand.expand(str(a.get(1)), m));
        last = m.end();
      }
      sb.append(text.substring(last));
      return sb.toString();
    });
    f.put("safeHtml", a -> str(a.get(0)));
    f.put("match", a -> Pattern.compile(str(a.get(0))).matcher(str(a.get(1))).find());
    f.put("title", a -> title(str(a.get(0))));
    f.put("toUpper", a -> str(a.get(0)).toUpperCase(Locale.ROOT));
    f.put("toLower", a -> str(a.get(0)).toLowerCase(Locale.ROOT));
    f.put("graphLink", a -> "/graph?g0.expr=" + URLEncoder.encode(str(a.get(0)), StandardCharsets.UTF_8) + "&g0.tab=0");
    f.put("tableLink", a -> "/graph?g0.expr=" + URLEncoder.encode(str(a.get(0)), StandardCharsets.UTF_8) + "&g0.tab=1");
    f.put("sortByLabel", a -> {
      String label = str(a.get(0));
      List<Object> l = new ArrayList<>((List<?>) a.get(1));
      l.sort((x, y) -> label(x, label).compareTo(label(y, label)));
      return l;
    });
    f.put("humanize", a -> humanize(toFloat(a.get(0))));
    f.put("humanize1024", a -> humanize1024(toFloat(a.get(0))));
    f.put("humanizeDuration", a -> humanizeDuration(toFloat(a.get(0))));
    f.put("humanizePercentage", a -> GoFormat.sprintf("%.4g%%", List.of(toFloat(a.get(0)) * 100)));
    f.put("humanizeTimestamp", a -> humanizeTimestamp(toFloat(a.get(0))));
    f.put("toTime", a -> humanizeTimestamp(toFloat(a.get(0))));
    f.put("toDuration", a -> humanizeDuration(toFloat(a.get(0))));
    f.put("pathPrefix", a -> pathOf(externalURL));
    f.put("externalURL", a -> externalURL);
    f.put("parseDuration", a -> dev.kiln.tsdb.model.Durations.parseMillis(str(a.get(0))) / 1000.0);
    f.put("stripPort", a -> stripPort(str(a.get(0))));
    f.put("stripDomain", a -> stripDomain(str(a.get(0))));
    f.put("urlQueryEscape", a -> URLEncoder.encode(str(a.get(0)), StandardCharsets.UTF_8));
    f.put("now", a -> nowSeconds);
    return Collections.unmodifiableMap(f);
  }

  private static String label(Object sample, String label) {
    String v = ((QuerySample) sample).labels().get(label);
    return v == null ? "" : v;
  }

  private static String str(Object o) {
    return o instanceof String s ? s : GoFormat.v(o);
  }

  /** Prometheus's convertToFloat: floats, integers and numeric strings. */
  static double toFloat(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (o instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new TemplateException("strconv.ParseFloat: parsing " + dev.kiln.tsdb.model.GoStrings.quote(s) + ": invalid syntax");
      }
    }
    throw new TemplateException("can't convert " + GoFormat.v(o) + " to float");
  }

  public static String humanize(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.sprintf("%.4g", List.of(v));
    }
    String prefix = "";
    if (Math.abs(v) >= 1) {
      for (String p : new String[] {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
        if (Math.abs(v) < 1000) {
          break;
        }
        prefix = p;
        v /= 1000;
      }
      return GoFormat.sprintf("%.4g", List.of(v)) + prefix;
    }
    for (String p : new String[] {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (Math.abs(v) >= 1) {
        break;
      }
      prefix = p;
      v *= 1000;
    }
    return GoFormat.sprintf("%.4g", List.of(v)) + prefix;
  }

  public static String humanize1024(double v) {
    if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.sprintf("%.4g", List.of(v));
    }
    String prefix = "";
    for (String p : new String[] {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
      if (Math.abs(v) < 1024) {
        break;
      }
      prefix = p;
      v /= 1024;
    }
    return GoFormat.sprintf("%.4g", List.of(v)) + prefix;
  }

  public static String humanizeDuration(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.sprintf("%.4g", List.of(v));
    }
    if (v == 0) {
      return GoFormat.sprintf("%.4gs", List.of(v));
    }
    if (Math.abs(v) >= 1) {
      String sign = "";
      if (v < 0) {
        sign = "-";
        v = -v;
      }
      long d = (long) v;
      long seconds = d % 60;
      long minutes = (d / 60) % 60;
      long hours = (d / 3600) % 24;
      long days = d / 86400;
      if (days != 0) {
        return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
      }
      if (hours != 0) {
        return sign + hours + "h " + minutes + "m " + seconds + "s";
      }
      if (minutes != 0) {
        return sign + minutes + "m " + seconds + "s";
      }
      return sign + GoFormat.sprintf("%.4g", List.of(v)) + "s";
    }
    String prefix = "";
    for (String p : new String[] {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (Math.abs(v) >= 1) {
        break;
      }
      prefix = p;
      v *= 1000;
    }
    return GoFormat.sprintf("%.4g", List.of(v)) + prefix + "s";
  }

  /** Go's {@code time.Time.String()} in UTC for Unix seconds. */
  public static String humanizeTimestamp(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.sprintf("%.4g", List.of(v));
    }
    long secs = (long) Math.floor(v);
    long nanos = Math.round((v - secs) * 1e9);
    Instant t = Instant.ofEpochSecond(secs, nanos);
    String base = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
    String frac = "";
    if (t.getNano() != 0) {
      frac = String.format(".%09d", t.getNano()).replaceAll("0+$", "");
    }
    return base + frac + " +0000 UTC";
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean start = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(start ? Character.toTitleCase(c) : c);
      start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
    }
    return sb.toString();
  }

  private static String stripPort(String hostPort) {
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      return close > 0 ? hostPort.substring(1, close) : hostPort;
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0 || hostPort.indexOf(':') != colon) {
      return hostPort;
    }
    return hostPort.substring(0, colon);
  }

  private static String stripDomain(String hostPort) {
    String host = hostPort;
    String port = "";
    int colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && hostPort.indexOf(':') == colon) {
      host = hostPort.substring(0, colon);
      port = hostPort.substring(colon);
    }
    if (host.matches("[0-9.]+")) {
      return hostPort;
    }
    int dot = host.indexOf('.');
    return (dot >= 0 ? host.substring(0, dot) : host) + port;
  }

  private static String pathOf(String url) {
    try {
      String p = java.net.URI.create(url).getPath();
      return p == null ? "" : p;
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
