package dev.kiln.scraper.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Text-format (0.0.4) pages Prometheus 2.42's scrape parser accepts or rejects, with its error text
 * (as its targets page shows it, read from a real Prometheus 2.42); Kiln's error is {@code line N: }
 * and the same text.
 */
public class TextParseErrorTest {
  /** Page to Prometheus's error text, or "" when it accepts the page. */
  public static final Map<String, String> PAGES = new LinkedHashMap<>();

  static {
    PAGES.put("foo\n", "expected value after metric, got \"INVALID\"");
    PAGES.put("foo{a=\"1\"}\n", "expected value after metric, got \"INVALID\"");
    PAGES.put("foo abc\n", "strconv.ParseFloat: parsing \"abc\": invalid syntax");
    PAGES.put("foo 1 abc\n", "expected timestamp or new record, got \"INVALID\"");
    PAGES.put("foo 1 99999999999999999999\n", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
    PAGES.put("foo 1 1.5\n", "expected next entry after timestamp, got \"INVALID\"");
    PAGES.put("foo 1 2 3\n", "expected next entry after timestamp, got \"TIMESTAMP\"");
    PAGES.put("foo 1 2 x\n", "expected next entry after timestamp, got \"INVALID\"");
    PAGES.put("foo{a=b} 1\n", "expected label value, got \"INVALID\"");
    PAGES.put("foo{a=\"b} 1\n", "expected label value, got \"INVALID\"");
    PAGES.put("foo{1a=\"b\"} 1\n", "expected label name, got \"INVALID\"");
    PAGES.put("foo{a=\"1\"\n", "expected label name, got \"INVALID\"");
    PAGES.put("a 1\nb 2\nc{ 3\n", "expected label name, got \"INVALID\"");
    PAGES.put("foo{a}\n", "expected equal, got \"BCLOSE\"");
    PAGES.put("{a=\"1\"} 1\n", "\"INVALID\" is not a valid start token");
    PAGES.put("# TYPE foo bar\nfoo 1\n", "invalid metric type \"bar\"");
    PAGES.put("# HELP 1foo x\nfoo 1\n", "expected metric name after HELP, got \"INVALID\"");
    PAGES.put("foo{a=\"1\",a=\"2\"} 1\n", "label name \"a\" is not unique: invalid sample");
    PAGES.put("foo{a=\"\\q\"} 1\n", "");
    // Labels need no comma between them in the text format (a trailing comma is fine too).
    PAGES.put("foo{a=\"1\" b=\"2\"} 1\n", "");
    PAGES.put("foo{a=\"1\"b=\"2\",} 1\n", "");
    PAGES.put("foo{a=\"1\",,b=\"2\"} 1\n", "expected label name, got \"COMMA\"");
    PAGES.put("foo{,a=\"1\"} 1\n", "expected label name, got \"COMMA\"");
    PAGES.put("foo{a=\"1\" 2} 1\n", "expected label name, got \"INVALID\"");
    // A second TYPE or HELP line for a family is taken (the last one counts).
    PAGES.put("# TYPE foo counter\n# TYPE foo gauge\nfoo 1\n", "");
    PAGES.put("# HELP foo a\n# HELP foo b\nfoo 1\n", "");
  }

  private static String error(String page) {
    try {
      ExpositionParser.parse(page, ExpositionParser.Format.PROMETHEUS_TEXT, (raw, s, v, t) -> s.labels());
      return "";
    } catch (ExpositionException e) {
      return e.getMessage().replaceFirst("^line \\d+: ", "");
    }
  }

  @Test
  void errorTextsAreTheOnesOfPrometheus() {
    List<String> differences = new ArrayList<>();
    PAGES.forEach((page, want) -> {
      String got = error(page);
      if (!got.equals(want)) {
        differences.add(page.replace("\n", "\\n") + " -> Kiln [" + got + "], Prometheus [" + want + "]");
      }
    });
    assertEquals("", String.join("\n", differences));
  }
}
