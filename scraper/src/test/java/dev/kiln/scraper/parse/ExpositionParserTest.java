package dev.kiln.scraper.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Metadata;
import dev.kiln.tsdb.storage.MetricType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {
  record S(Labels labels, double value, long ts) {}

  static final class Collect implements ExpositionSink {
    final List<S> samples = new ArrayList<>();
    final Map<String, Metadata> meta = new HashMap<>();

    @Override
    public void sample(String raw, ParsedSeries series, double value, long ts) {
      samples.add(new S(series.labels(), value, ts));
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
      meta.put(family, new Metadata(type, help, unit));
    }
  }

  private static Collect text(String body) {
    Collect c = new Collect();
    ExpositionParser.parse(body, ExpositionParser.Format.PROMETHEUS_TEXT, c);
    return c;
  }

  private static Collect om(String body) {
    Collect c = new Collect();
    ExpositionParser.parse(body, ExpositionParser.Format.OPENMETRICS, c);
    return c;
  }

  @Test
  void parsesTheContractTextExample() {
    Collect c = text("""
        # HELP jobs_done_total Jobs finished since start.
        # TYPE jobs_done_total counter
        jobs_done_total{queue="mail",result="ok"} 1204 1712000000000
        jobs_done_total{queue="mail",result="error"} 7
        # a free comment, ignored
        # TYPE batch_seconds histogram
        batch_seconds_bucket{le="0.5"} 3
        batch_seconds_bucket{le="2"} 9
        batch_seconds_bucket{le="+Inf"} 10
        batch_seconds_sum 11.75
        batch_seconds_count 10
        path_info{path="C:\\\\temp",note="say \\"hi\\"\\nbye"} NaN
        """);
    assertEquals(8, c.samples.size());
    assertEquals(Labels.of("__name__", "jobs_done_total", "queue", "mail", "result", "ok"), c.samples.get(0).labels);
    assertEquals(1712000000000L, c.samples.get(0).ts);
    assertEquals(ExpositionSink.NO_TIMESTAMP, c.samples.get(1).ts);
    assertEquals("2.0", c.samples.get(3).labels.get("le"), "le is normalised as Prometheus 3 does");
    assertEquals("C:\\temp", c.samples.get(7).labels.get("path"));
    assertEquals("say \"hi\"\nbye", c.samples.get(7).labels.get("note"));
    assertTrue(Double.isNaN(c.samples.get(7).value));
    assertEquals(new Metadata(MetricType.COUNTER, "Jobs finished since start.", ""), c.meta.get("jobs_done_total"));
  }

  @Test
  void valuesFollowGoParsing() {
    Collect c = text("a +Inf\nb -inf\nc 1.5e-3\nd .5\ne 5.\n");
    assertEquals(Double.POSITIVE_INFINITY, c.samples.get(0).value);
    assertEquals(Double.NEGATIVE_INFINITY, c.samples.get(1).value);
    assertEquals(0.0015, c.samples.get(2).value);
    assertEquals(0.5, c.samples.get(3).value);
    assertEquals(5.0, c.samples.get(4).value);
    assertThrows(ExpositionException.class, () -> text("a 1d\n"));
    assertThrows(ExpositionException.class, () -> text("a 0x1p3\n"));
  }

  @Test
  void errorsNameTheLine() {
    ExpositionException e = assertThrows(ExpositionException.class, () -> text("ok 1\nbad{a=\"1\" 2\n"));
    assertEquals(2, e.line());
    ExpositionException dup = assertThrows(ExpositionException.class, () -> text("x{a=\"1\",a=\"2\"} 1\n"));
    assertTrue(dup.getMessage().contains("label name \"a\" is not unique"), dup.getMessage());
  }

  @Test
  void textLabelsNeedNoCommasButOpenMetricsLabelsDo() {
    Collect c = text("a{x=\"1\" y=\"2\"} 1\nb{x=\"1\"y=\"2\",} 2\n");
    assertEquals(Labels.of("__name__", "a", "x", "1", "y", "2"), c.samples.get(0).labels);
    assertEquals(Labels.of("__name__", "b", "x", "1", "y", "2"), c.samples.get(1).labels);
    assertThrows(ExpositionException.class, () -> text("a{x=\"1\",,y=\"2\"} 1\n"));
    assertThrows(ExpositionException.class, () -> om("a{x=\"1\" y=\"2\"} 1\n# EOF\n"));
    assertThrows(ExpositionException.class,
        () -> ExpositionParser.parse("a{x=\"1\" y=\"2\"} 1\n", ExpositionParser.Format.PUSHGATEWAY_TEXT, new Collect()));
  }

  @Test
  void aSecondTypeOrHelpLineCountsInScrapesButNotInPushes() {
    String page = "# TYPE a counter\n# HELP a first\n# TYPE a gauge\n# HELP a second\na 1\n";
    Collect c = text(page);
    assertEquals(MetricType.GAUGE, c.meta.get("a").type());
    assertEquals("second", c.meta.get("a").help());
    assertEquals(1, c.samples.size());
    ExpositionException e = assertThrows(ExpositionException.class,
        () -> ExpositionParser.parse(page, ExpositionParser.Format.PUSHGATEWAY_TEXT, new Collect()));
    assertEquals(3, e.line(), e.getMessage());
    assertThrows(ExpositionException.class,
        () -> ExpositionParser.parse("# HELP a x\n# HELP a y\na 1\n", ExpositionParser.Format.PUSHGATEWAY_TEXT, new Collect()));
  }

  @Test
  void helpEscapesDifferBetweenFormats() {
    assertEquals("a \\\"b\\\" \n", text("# HELP x a \\\"b\\\" \\n\nx 1\n").meta.get("x").help());
    assertEquals("a \"b\"", om("# HELP x a \\\"b\\\"\nx 1\n# EOF\n").meta.get("x").help());
  }

  @Test
  void openMetricsNeedsEofAndUsesSecondTimestamps() {
    Collect c = om("""
        # TYPE cache_lookups counter
        # HELP cache_lookups Lookups served by the cache.
        cache_lookups_total{hit="true"} 310 # {trace_id="a1"} 1 1712000000.5
        cache_lookups_created{hit="true"} 1711990000.0
        # TYPE queue_wait_seconds gaugehistogram
        # UNIT queue_wait_seconds seconds
        queue_wait_seconds_bucket{le="1"} 2 1712000000.123
        # EOF
        """);
    assertEquals(3, c.samples.size());
    assertEquals(1712000000123L, c.samples.get(2).ts);
    assertEquals("1.0", c.samples.get(2).labels.get("le"));
    assertEquals("seconds", c.meta.get("queue_wait_seconds").unit());
    ExpositionException missing = assertThrows(ExpositionException.class, () -> om("a 1\n"));
    assertTrue(missing.getMessage().contains("# EOF"), missing.getMessage());
    assertThrows(ExpositionException.class, () -> om("a  1\n# EOF\n"));
  }

  @Test
  void boundsAreFormattedLikeGo() {
    assertEquals("1.0", ExpositionParser.normalizeBound("1"));
    assertEquals("0.25", ExpositionParser.normalizeBound("0.25"));
    assertEquals("100000.0", ExpositionParser.normalizeBound("100000"));
    assertEquals("1e+06", ExpositionParser.normalizeBound("1000000"));
    assertEquals("1e-05", ExpositionParser.normalizeBound("0.00001"));
    assertEquals("0.0001", ExpositionParser.normalizeBound("0.0001"));
    assertEquals("2.5e+07", ExpositionParser.normalizeBound("2.5e7"));
    assertEquals("+Inf", ExpositionParser.normalizeBound("+Inf"));
    assertEquals("abc", ExpositionParser.normalizeBound("abc"));
  }

  @Test
  void quotedUtf8NamesInTextOneZero() {
    Collect c = text("{\"my.metric\", \"some.label\"=\"v\"} 1\n");
    assertEquals(Labels.of("__name__", "my.metric", "some.label", "v"), c.samples.get(0).labels);
  }

  /** Caches every series text it is given; records what each sample resolved to. */
  static final class CachingCollect implements SeriesCacheSink {
    final Map<String, Integer> cache = new HashMap<>();
    final List<Labels> entries = new ArrayList<>();
    final List<S> samples = new ArrayList<>();
    int hits;

    @Override
    public int cached(byte[] buf, int start, int end) {
      Integer e = cache.get(new String(buf, start, end - start, java.nio.charset.StandardCharsets.UTF_8));
      if (e != null) {
        hits++;
      }
      return e == null ? -1 : e;
    }

    @Override
    public int newSeries(byte[] buf, int start, int end, ParsedSeries series) {
      entries.add(series.labels());
      cache.put(new String(buf, start, end - start, java.nio.charset.StandardCharsets.UTF_8), entries.size() - 1);
      return entries.size() - 1;
    }

    @Override
    public void sample(int entry, double value, long ts) {
      samples.add(new S(entries.get(entry), value, ts));
    }
  }

  @Test
  void cachedSeriesTextsParseExactlyLikeFreshOnes() {
    long seed = System.nanoTime();
    java.util.Random rnd = new java.util.Random(seed);
    String[] values = {"0", "-0", "1", "42", "-17", "3.25", "0.1", ".5", "7.", "123456789012345", "1234567890123456",
        "99999999999999999999", "0.000000000000001", "1.7976931348623157e308", "1e-3", "2E5", "NaN", "+Inf", "-Inf",
        "+3", "0.30000000000000004", "12345.678901234"};
    String[] names = {"a", "b_total", "c:d"};
    String[] labelValues = {"x", "", "with space", "quote\\\"d", "back\\\\slash", "new\\nline", "ünï", "}{,="};
    for (int round = 0; round < 200; round++) {
      StringBuilder page = new StringBuilder();
      int lines = 1 + rnd.nextInt(30);
      for (int i = 0; i < lines; i++) {
        page.append(names[rnd.nextInt(names.length)]);
        if (rnd.nextBoolean()) {
          page.append(rnd.nextBoolean() ? "{" : " {");
          int k = rnd.nextInt(3);
          for (int j = 0; j < k; j++) {
            page.append(j > 0 ? "," : "").append("l").append(j).append("=\"")
                .append(labelValues[rnd.nextInt(labelValues.length)]).append('"');
          }
          page.append('}');
        }
        page.append(' ').append(values[rnd.nextInt(values.length)]);
        if (rnd.nextInt(4) == 0) {
          page.append(' ').append(rnd.nextInt(2) == 0 ? "-" : "").append(rnd.nextInt(Integer.MAX_VALUE));
        }
        page.append('\n');
      }
      byte[] body = page.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Collect plain = new Collect();
      ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, plain);
      CachingCollect caching = new CachingCollect();
      // Twice: the second pass sees every series text as known.
      ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, caching);
      caching.samples.clear();
      caching.hits = 0;
      ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, caching);
      assertEquals(lines, caching.hits, "seed " + seed);
      assertEquals(plain.samples.size(), caching.samples.size(), "seed " + seed);
      for (int i = 0; i < plain.samples.size(); i++) {
        S want = plain.samples.get(i);
        S got = caching.samples.get(i);
        assertEquals(want.labels(), got.labels(), "seed " + seed);
        assertEquals(want.ts(), got.ts(), "seed " + seed);
        assertEquals(Double.doubleToRawLongBits(GoFloats.parse(valueOf(page, i))), Double.doubleToRawLongBits(got.value()),
            "seed " + seed + " line " + i);
        assertEquals(Double.doubleToRawLongBits(want.value()), Double.doubleToRawLongBits(got.value()), "seed " + seed);
      }
    }
  }

  /** The value token of sample line {@code i} of a generated page (no comments, one sample per line). */
  private static String valueOf(StringBuilder page, int i) {
    String line = page.toString().split("\n")[i];
    int close = line.lastIndexOf('}');
    String rest = line.substring(close < 0 ? line.indexOf(' ') : close + 1).trim();
    return rest.split(" ")[0];
  }

  @Test
  void malformedLinesFailTheSameWithACache() {
    for (String bad : List.of("x{a=\"1\" 1\n", "x{a=\"1} 1\n", "x{a=1} 1\n", "x{a=\"1\"}1\n", "x{a=\"1\"} abc\n",
        "{} 1\n", "x{a=\"1\",a=\"2\"} 1\n", "x{a=\"1\"} 1 12a\n", "9x 1\n")) {
      byte[] body = ("ok{a=\"1\"} 1\n" + bad).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ExpositionException plainErr = assertThrows(ExpositionException.class,
          () -> ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, new Collect()), bad);
      CachingCollect caching = new CachingCollect();
      caching.entries.add(Labels.of("__name__", "x", "a", "1"));
      caching.cache.put("x{a=\"1\"}", 0);
      ExpositionException cachedErr = assertThrows(ExpositionException.class,
          () -> ExpositionParser.parse(body, body.length, ExpositionParser.Format.PROMETHEUS_TEXT, caching), bad);
      assertEquals(plainErr.getMessage(), cachedErr.getMessage(), bad);
    }
  }
}
