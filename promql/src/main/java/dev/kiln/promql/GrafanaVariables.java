package dev.kiln.promql;

/**
 * Substitutes Grafana's interval variables in a query sent straight to Kiln, with Grafana's own
 * formulas, so dashboard queries can be pasted unchanged into curl, the web UI or rule files.
 * Both {@code $__x} and {@code ${__x}} spellings are replaced.
 *
 * <p>For a range query the step plays Grafana's {@code intervalMs} and the range is end − start.
 * An instant query has neither: the scrape interval is used as the interval and the lookback
 * delta (default 5m) as the range.
 */
public final class GrafanaVariables {
  /** Grafana's default scrape interval assumption. */
  public static final long DEFAULT_SCRAPE_MILLIS = 15_000;

  private GrafanaVariables() {}

  /**
   * @param intervalMillis the step of a range query (Grafana's intervalMs)
   * @param rangeMillis end − start of the query
   * @param scrapeMillis the scrape interval Grafana assumes (0 for 15 s)
   */
  public static String substitute(String expr, long intervalMillis, long rangeMillis, long scrapeMillis) {
    if (expr.indexOf("$__") < 0 && expr.indexOf("${__") < 0) {
      return expr;
    }
    long scrape = scrapeMillis > 0 ? scrapeMillis : DEFAULT_SCRAPE_MILLIS;
    long interval = intervalMillis > 0 ? intervalMillis : scrape;
    long rate = Math.max(interval + scrape, 4 * scrape);
    long rangeSeconds = Math.round(rangeMillis / 1000.0);
    // Longer names first so that $__interval does not eat $__interval_ms.
    String[][] vars = {
      {"__rate_interval_ms", Long.toString(rate)},
      {"__rate_interval", goDuration(rate)},
      {"__interval_ms", Long.toString(interval)},
      {"__interval", truncated(interval)},
      {"__range_ms", Long.toString(rangeMillis)},
      {"__range_s", Long.toString(rangeSeconds)},
      {"__range", rangeSeconds + "s"},
    };
    String out = expr;
    for (String[] v : vars) {
      out = out.replace("${" + v[0] + "}", v[1]);
    }
    for (String[] v : vars) {
      out = replaceBare(out, "$" + v[0], v[1]);
    }
    return out;
  }

  private static String replaceBare(String s, String var, String value) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (true) {
      int at = s.indexOf(var, i);
      if (at < 0) {
        sb.append(s, i, s.length());
        return sb.toString();
      }
      int end = at + var.length();
      boolean longer = end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_');
      sb.append(s, i, at).append(longer ? var : value);
      i = end;
    }
  }

  /** Grafana's interval text: the largest whole unit (90 s → {@code 1m}). */
  static String truncated(long ms) {
    long[] units = {365L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000};
    String[] names = {"y", "d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms >= units[i]) {
        return (ms / units[i]) + names[i];
      }
    }
    return Math.max(1, ms) + "ms";
  }

  /** Go's {@code time.Duration.String()} for whole milliseconds: {@code 1m0s}, {@code 500ms}. */
  static String goDuration(long ms) {
    if (ms == 0) {
      return "0s";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    StringBuilder sb = new StringBuilder();
    long h = ms / 3_600_000;
    long m = (ms / 60_000) % 60;
    long s = (ms / 1000) % 60;
    long frac = ms % 1000;
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      sb.append(m).append('m');
    }
    sb.append(s);
    if (frac > 0) {
      String f = String.format("%03d", frac).replaceAll("0+$", "");
      sb.append('.').append(f);
    }
    return sb.append('s').toString();
  }
}
