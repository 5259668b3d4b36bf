package dev.kiln.server.differential;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checked-in corpus of exposition pages (test resources {@code differential/pages}): a real
 * node_exporter 1.5 page from the Debian package, cAdvisor and kube-state-metrics style pages,
 * histograms and summaries, OpenMetrics, escapes, UTF-8, long values, duplicates, explicit
 * timestamps, special values and a broken page. Timestamps in pages are written relative to the
 * test's start time {@code T0} ({@code {{T0-10m}}}) so both servers see the same values.
 */
final class Corpus {
  /** The pages, by file name; {@code .om} files are OpenMetrics, the others text format 0.0.4. */
  static final List<String> PAGES = List.of(
      "node_exporter.prom", "cadvisor.prom", "kube_state_metrics.prom", "app_histograms.prom", "openmetrics.om",
      "escapes_utf8_long.prom", "special_values.prom", "duplicates.prom", "timestamps.prom", "broken.prom", "openmetrics_bad_unit.om",
      "lax_text.prom");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{T0(?:([+-])(\\d+)([smh]))?}}");

  private Corpus() {}

  /** The page's text with its timestamp placeholders filled in from {@code t0Millis}. */
  static String page(String name, long t0Millis) {
    String raw = resource(name);
    Matcher m = PLACEHOLDER.matcher(raw);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      long t = t0Millis;
      if (m.group(1) != null) {
        long unit = switch (m.group(3)) {
          case "s" -> 1_000L;
          case "m" -> 60_000L;
          default -> 3_600_000L;
        };
        t += (m.group(1).equals("+") ? 1 : -1) * Long.parseLong(m.group(2)) * unit;
      }
      m.appendReplacement(sb, Long.toString(t));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static String contentType(String name) {
    return name.endsWith(".om") ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
  }

  /** The job name a page is scraped under. */
  static String job(String name) {
    return "diff-" + name.substring(0, name.indexOf('.')).replace('_', '-');
  }

  static String resource(String name) {
    try (InputStream in = Corpus.class.getResourceAsStream("/differential/pages/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no corpus page " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One sample line of a page: its labels in page order ({@code __name__} first) and value. */
  record PageSample(List<String> labelPairs, double value) {}

  /**
   * The sample lines of a well-formed page, read by a small parser of this corpus's own (not
   * Kiln's), so remote-write requests are built independently of the scraper under test.
   */
  static List<PageSample> samples(String name) {
    List<PageSample> out = new ArrayList<>();
    for (String line : resource(name).split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int exemplar = line.indexOf(" # {");
      if (exemplar >= 0) {
        line = line.substring(0, exemplar);
      }
      List<String> pairs = new ArrayList<>();
      int i = 0;
      while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
        i++;
      }
      pairs.add("__name__");
      pairs.add(line.substring(0, i));
      if (i < line.length() && line.charAt(i) == '{') {
        i++;
        while (true) {
          // Blanks around labels and commas are optional, as in Prometheus's text parser.
          while (line.charAt(i) == ' ') {
            i++;
          }
          if (line.charAt(i) == '}') {
            break;
          }
          int eq = line.indexOf('=', i);
          pairs.add(line.substring(i, eq).trim());
          int p = line.indexOf('"', eq) + 1;
          StringBuilder v = new StringBuilder();
          while (line.charAt(p) != '"') {
            char c = line.charAt(p);
            if (c == '\\') {
              char e = line.charAt(++p);
              v.append(e == 'n' ? '\n' : e);
            } else {
              v.append(c);
            }
            p++;
          }
          pairs.add(v.toString());
          i = p + 1;
          while (line.charAt(i) == ' ') {
            i++;
          }
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        i++;
      }
      String[] rest = line.substring(i).trim().split("\\s+");
      out.add(new PageSample(pairs, parseValue(rest[0])));
    }
    return out;
  }

  private static double parseValue(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }
}
