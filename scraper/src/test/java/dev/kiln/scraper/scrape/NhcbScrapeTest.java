package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.parse.Pb;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scrapes with {@code convert_classic_histograms_to_nhcb}: classic histograms stored with custom buckets. */
class NhcbScrapeTest {
  private static final String TEXT = "text/plain; version=0.0.4";
  private static final String OM = "application/openmetrics-text; version=1.0.0";

  private final InMemoryStorage storage = new InMemoryStorage();
  private final ProtobufScrapeTest.BytesFetcher fetcher = new ProtobufScrapeTest.BytesFetcher();
  private final ScrapeLoopTest.ManualClock clock = new ScrapeLoopTest.ManualClock();

  private ScrapeLoop loop(String jobYaml) {
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + jobYaml;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    return new ScrapeLoop("app", t, cfg, storage, fetcher, clock, "Kiln/test", false);
  }

  private static final String CONVERT = "    convert_classic_histograms_to_nhcb: true\n";
  private static final String KEEP = "    always_scrape_classic_histograms: true\n";

  private void serve(String contentType, String page) {
    fetcher.contentType = contentType;
    fetcher.body = page.getBytes(StandardCharsets.UTF_8);
  }

  private static final String PAGE = """
      # HELP rpc_seconds Latency.
      # TYPE rpc_seconds histogram
      rpc_seconds_bucket{svc="a",le="0.1"} 2
      rpc_seconds_bucket{svc="a",le="0.5"} 5
      rpc_seconds_bucket{svc="a",le="1"} 5
      rpc_seconds_bucket{svc="a",le="+Inf"} 8
      rpc_seconds_sum{svc="a"} 6.5
      rpc_seconds_count{svc="a"} 8
      rpc_seconds_bucket{svc="b",le="0.1"} 1
      rpc_seconds_bucket{svc="b",le="0.5"} 1
      rpc_seconds_bucket{svc="b",le="1"} 1
      rpc_seconds_bucket{svc="b",le="+Inf"} 1
      rpc_seconds_sum{svc="b"} 0.05
      rpc_seconds_count{svc="b"} 1
      # TYPE jobs_total counter
      jobs_total 3
      """;

  /** The samples of the series matching {@code name} (and {@code svc} when not null), as stored. */
  private List<Object> stored(String name, String svc) {
    List<Object> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = svc == null ? q.select(true, null, LabelMatcher.equal("__name__", name))
          : q.select(true, null, LabelMatcher.equal("__name__", name), LabelMatcher.equal("svc", svc));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        for (ValueType v = it.next(); v != ValueType.NONE; v = it.next()) {
          out.add(v == ValueType.HISTOGRAM ? it.atHistogram(null).toFloat(null)
              : v == ValueType.FLOAT_HISTOGRAM ? it.atFloatHistogram(null) : (Object) it.atV());
        }
      }
    }
    return out;
  }

  /** The one sample of the series, a histogram (the in-memory storage keeps histograms as float ones). */
  private FloatHistogram only(String name, String svc) {
    List<Object> got = stored(name, svc);
    assertEquals(1, got.size(), "one sample of " + name + " svc=" + svc + ": " + got);
    return assertInstanceOf(FloatHistogram.class, got.get(0));
  }

  private static void assertNhcb(FloatHistogram h, double[] bounds, Span[] spans, double[] buckets, double count,
      double sum) {
    assertEquals(-53, h.schema);
    assertArrayEquals(bounds, h.customValues);
    assertArrayEquals(spans, h.positiveSpans);
    assertArrayEquals(buckets, h.positiveBuckets);
    assertEquals(count, h.count);
    assertEquals(sum, h.sum);
    assertEquals(0, h.negativeBuckets.length);
  }

  @Test
  void classicHistogramsAreStoredWithCustomBucketsAndTheirSeriesDropped() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, PAGE);
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    // Buckets 2, 3, 0, 3: one empty bucket stays inside the span (Compact(2)).
    assertNhcb(only("rpc_seconds", "a"), new double[] {0.1, 0.5, 1}, new Span[] {new Span(0, 4)},
        new double[] {2, 3, 0, 3}, 8, 6.5);
    // Buckets 1, 0, 0, 0: trailing empty buckets go, the bounds stay.
    assertNhcb(only("rpc_seconds", "b"), new double[] {0.1, 0.5, 1}, new Span[] {new Span(0, 1)},
        new double[] {1}, 1, 0.05);
    assertEquals(List.of(), stored("rpc_seconds_bucket", null));
    assertEquals(List.of(), stored("rpc_seconds_count", null));
    assertEquals(List.of(), stored("rpc_seconds_sum", null));
    assertEquals(List.of(3.0), stored("jobs_total", null));
    assertEquals(List.of(3.0), stored("scrape_samples_scraped", null), "two histograms and the counter");
  }

  @Test
  void wholeCountsAreStoredAsIntegerHistogramsInTheHead() {
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + CONVERT;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    try (Head head = Head.inMemory()) {
      ScrapeLoop l = new ScrapeLoop("app", t, cfg, head, fetcher, clock, "Kiln/test", false);
      serve(TEXT, PAGE);
      l.scrape();
      assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
      try (Querier q = head.querier(0, Long.MAX_VALUE)) {
        SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "rpc_seconds"), LabelMatcher.equal("svc", "a"));
        assertTrue(set.next());
        SampleIterator it = set.at().iterator(null);
        assertEquals(ValueType.HISTOGRAM, it.next());
        Histogram h = it.atHistogram(null);
        assertEquals(-53, h.schema);
        assertArrayEquals(new double[] {0.1, 0.5, 1}, h.customValues);
        assertArrayEquals(new Span[] {new Span(0, 4)}, h.positiveSpans);
        // Per-bucket counts 2, 3, 0, 3 as deltas.
        assertArrayEquals(new long[] {2, 1, -3, 3}, h.positiveBuckets);
        assertEquals(8, h.count);
        assertEquals(6.5, h.sum);
        assertEquals(ValueType.NONE, it.next());
      }
    }
  }

  @Test
  void laterScrapesOfTheSamePageConvertThroughTheSeriesCache() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, PAGE);
    l.scrape();
    clock.millis += 15_000;
    serve(TEXT, PAGE.replace("rpc_seconds_bucket{svc=\"a\",le=\"+Inf\"} 8", "rpc_seconds_bucket{svc=\"a\",le=\"+Inf\"} 9")
        .replace("rpc_seconds_count{svc=\"a\"} 8", "rpc_seconds_count{svc=\"a\"} 9"));
    l.scrape();
    List<Object> a = stored("rpc_seconds", "a");
    assertEquals(2, a.size());
    assertNhcb((FloatHistogram) a.get(1), new double[] {0.1, 0.5, 1}, new Span[] {new Span(0, 4)},
        new double[] {2, 3, 0, 4}, 9, 6.5);
    assertEquals(2, stored("rpc_seconds", "b").size());
    assertEquals(List.of(), stored("rpc_seconds_bucket", null));
  }

  @Test
  void aVanishedConvertedHistogramGetsAStaleMarker() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, PAGE);
    l.scrape();
    clock.millis += 15_000;
    serve(TEXT, "# TYPE jobs_total counter\njobs_total 4\n");
    l.scrape();
    List<Object> a = stored("rpc_seconds", "a");
    assertEquals(2, a.size(), a.toString());
    Object last = a.get(1);
    double v = last instanceof Double d ? d : ((FloatHistogram) last).sum;
    assertTrue(StaleNaN.is(v), "the series ends in a stale marker: " + last);
  }

  @Test
  void alwaysScrapeClassicHistogramsKeepsBucketCountAndSumBesideTheConversion() {
    ScrapeLoop l = loop(CONVERT + KEEP);
    serve(TEXT, PAGE);
    l.scrape();
    assertNhcb(only("rpc_seconds", "a"), new double[] {0.1, 0.5, 1}, new Span[] {new Span(0, 4)},
        new double[] {2, 3, 0, 3}, 8, 6.5);
    assertEquals(List.of(2.0, 5.0, 5.0, 8.0).stream().sorted().toList(),
        stored("rpc_seconds_bucket", "a").stream().map(o -> (Double) o).sorted().toList());
    assertEquals(List.of(8.0), stored("rpc_seconds_count", "a"));
    assertEquals(List.of(0.05), stored("rpc_seconds_sum", "b"));
    assertEquals(List.of(15.0), stored("scrape_samples_scraped", null), "12 classic, 2 converted, 1 counter");
  }

  @Test
  void metricRelabelingSeesTheConvertedSeries() {
    ScrapeLoop l = loop(CONVERT + "    metric_relabel_configs:\n"
        + "      - source_labels: [__name__, svc]\n        regex: rpc_seconds;b\n        action: drop\n");
    serve(TEXT, PAGE);
    l.scrape();
    assertEquals(1, stored("rpc_seconds", "a").size());
    assertEquals(List.of(), stored("rpc_seconds", "b"));
  }

  @Test
  void withoutTheOptionNothingIsConverted() {
    ScrapeLoop l = loop("");
    serve(TEXT, PAGE);
    l.scrape();
    assertEquals(List.of(), stored("rpc_seconds", null));
    assertEquals(8, stored("rpc_seconds_bucket", null).size());
  }

  @Test
  void aMissingInfBucketIsAddedWithTheCount() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, """
        # TYPE lat histogram
        lat_bucket{le="0.1"} 2
        lat_bucket{le="1"} 5
        lat_sum 3
        lat_count 7
        # TYPE nocount histogram
        nocount_bucket{le="1"} 4
        nocount_bucket{le="2"} 6
        nocount_sum 1
        """);
    l.scrape();
    assertNhcb(only("lat", null), new double[] {0.1, 1}, new Span[] {new Span(0, 3)}, new double[] {2, 3, 2}, 7, 3);
    // Without _count nor +Inf the count is the highest bucket's; the +Inf bucket is empty.
    assertNhcb(only("nocount", null), new double[] {1, 2}, new Span[] {new Span(0, 2)}, new double[] {4, 2}, 6, 1);
  }

  @Test
  void bucketsOutOfOrderAreSortedByBound() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, """
        # TYPE lat histogram
        lat_bucket{le="+Inf"} 5
        lat_bucket{le="1"} 3
        lat_bucket{le="0.5"} 1
        lat_count 5
        lat_sum 2
        """);
    l.scrape();
    assertNhcb(only("lat", null), new double[] {0.5, 1}, new Span[] {new Span(0, 3)}, new double[] {1, 2, 2}, 5, 2);
  }

  @Test
  void nonCumulativeOrMismatchedHistogramsAreNotConvertedAndTheirSeriesStillDropped() {
    String page = """
        # TYPE down histogram
        down_bucket{le="0.1"} 5
        down_bucket{le="1"} 3
        down_bucket{le="+Inf"} 5
        down_count 5
        down_sum 1
        # TYPE off histogram
        off_bucket{le="1"} 3
        off_bucket{le="+Inf"} 5
        off_count 6
        off_sum 1
        # TYPE ok histogram
        ok_bucket{le="+Inf"} 1
        ok_count 1
        ok_sum 1
        """;
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, page);
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertEquals(List.of(), stored("down", null));
    assertEquals(List.of(), stored("off", null));
    assertEquals(List.of(), stored("down_bucket", null), "as Prometheus, the classic series are gone too");
    assertNhcb(only("ok", null), new double[0], new Span[] {new Span(0, 1)}, new double[] {1}, 1, 1);

    ScrapeLoop kept = loop(CONVERT + KEEP);
    storage.clear();
    serve(TEXT, page);
    kept.scrape();
    assertEquals(List.of(), stored("down", null));
    assertEquals(3, stored("down_bucket", null).size());
    assertEquals(List.of(6.0), stored("off_count", null));
  }

  @Test
  void fractionalCountsGiveAFloatHistogram() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, """
        # TYPE w histogram
        w_bucket{le="1"} 0.5
        w_bucket{le="2"} 0.5
        w_bucket{le="4"} 2.5
        w_bucket{le="+Inf"} 2.5
        w_count 2.5
        w_sum 4.25
        """);
    l.scrape();
    List<Object> got = stored("w", null);
    assertEquals(1, got.size());
    FloatHistogram h = assertInstanceOf(FloatHistogram.class, got.get(0));
    assertEquals(-53, h.schema);
    assertArrayEquals(new double[] {1, 2, 4}, h.customValues);
    // Buckets 0.5, 0, 2, 0: Compact(0) splits the spans around empty buckets.
    assertArrayEquals(new Span[] {new Span(0, 1), new Span(1, 1)}, h.positiveSpans);
    assertArrayEquals(new double[] {0.5, 2}, h.positiveBuckets);
    assertEquals(2.5, h.count);
    assertEquals(4.25, h.sum);
  }

  @Test
  void openMetricsHistogramsAreConverted() {
    ScrapeLoop l = loop(CONVERT);
    serve(OM, """
        # TYPE rpc_seconds histogram
        rpc_seconds_bucket{svc="a",le="0.1"} 2
        rpc_seconds_bucket{svc="a",le="+Inf"} 3
        rpc_seconds_count{svc="a"} 3
        rpc_seconds_sum{svc="a"} 0.5
        # TYPE queue gaugehistogram
        queue_bucket{le="1"} 2
        queue_bucket{le="+Inf"} 3
        queue_gcount 3
        queue_gsum 4
        # EOF
        """);
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertNhcb(only("rpc_seconds", "a"), new double[] {0.1}, new Span[] {new Span(0, 2)}, new double[] {2, 1}, 3, 0.5);
    assertEquals(List.of(), stored("queue", null), "gauge histograms are not converted");
    assertEquals(2, stored("queue_bucket", null).size());
  }

  @Test
  void untypedBucketSeriesAreNotConverted() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, "lat_bucket{le=\"1\"} 2\nlat_bucket{le=\"+Inf\"} 3\nlat_count 3\n");
    l.scrape();
    assertEquals(List.of(), stored("lat", null));
    assertEquals(2, stored("lat_bucket", null).size());
  }

  @Test
  void bucketLimitRejectsAConvertedHistogramWithTooManyBuckets() {
    ScrapeLoop l = loop(CONVERT + "    native_histogram_bucket_limit: 3\n");
    serve(TEXT, PAGE);
    l.scrape();
    assertEquals(TargetHealth.DOWN, l.status().health());
    assertEquals("histogram bucket limit exceeded", l.status().lastError());
    assertEquals(List.of(), stored("rpc_seconds", null));
  }

  @Test
  void protobufClassicBucketsAreConverted() {
    ScrapeLoop l = loop(CONVERT);
    Pb classic = Pb.msg().uint(1, 11).dbl(2, 20.5)
        .msg(3, Pb.msg().uint(1, 6).dbl(2, 1.0)).msg(3, Pb.msg().uint(1, 9).dbl(2, 5.0));
    fetcher.contentType = ProtobufScrapeTest.PROTO;
    fetcher.body = Pb.delimited(Pb.msg().string(1, "rpc_seconds").uint(3, 4).msg(4, Pb.msg().label("svc", "a").msg(7, classic)));
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertNhcb(only("rpc_seconds", "a"), new double[] {1, 5}, new Span[] {new Span(0, 3)}, new double[] {6, 3, 2}, 11, 20.5);
    assertEquals(List.of(), stored("rpc_seconds_bucket", null));
  }

  @Test
  void protobufClassicBucketsOfAnExponentialHistogramStayClassic() {
    ScrapeLoop l = loop(CONVERT + KEEP + "    scrape_native_histograms: true\n");
    fetcher.contentType = ProtobufScrapeTest.PROTO;
    fetcher.body = ProtobufScrapeTest.page("rpc_seconds");
    l.scrape();
    List<Object> got = stored("rpc_seconds", null);
    assertEquals(1, got.size(), got.toString());
    FloatHistogram h = assertInstanceOf(FloatHistogram.class, got.get(0));
    assertEquals(3, h.schema, "the exponential histogram, not a conversion");
    assertNull(h.customValues);
    assertEquals(2, stored("rpc_seconds_bucket", null).size());
  }

  /** The (timestamp, count) of each histogram sample of the series. */
  private List<List<Object>> timedCounts(String name, String svc) {
    List<List<Object>> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", name), LabelMatcher.equal("svc", svc));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        for (ValueType v = it.next(); v != ValueType.NONE; v = it.next()) {
          double c = v == ValueType.HISTOGRAM ? it.atHistogram(null).count : v == ValueType.FLOAT_HISTOGRAM
              ? it.atFloatHistogram(null).count : it.atV();
          out.add(List.of(it.atT(), c));
        }
      }
    }
    return out;
  }

  @Test
  void aConvertedHistogramTakesTheTimestampOfTheLineReadWhenItIsHandedOn() {
    long now = clock.millis;
    long t1 = now - 60_000;
    long t2 = now - 30_000;
    long t3 = now - 20_000;
    ScrapeLoop l = loop(CONVERT);
    // a ends at b's first series (explicit t2), b at c's (no timestamp), c at a comment line (its own t3).
    serve(TEXT, """
        # TYPE rpc_seconds histogram
        rpc_seconds_bucket{svc="a",le="+Inf"} 1 %1$d
        rpc_seconds_count{svc="a"} 1 %1$d
        rpc_seconds_bucket{svc="b",le="+Inf"} 2 %2$d
        rpc_seconds_count{svc="b"} 2 %2$d
        rpc_seconds_bucket{svc="c",le="+Inf"} 3
        rpc_seconds_count{svc="c"} 3 %3$d
        # TYPE jobs_total counter
        jobs_total 3
        """.formatted(t1, t2, t3));
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertEquals(List.of(List.of(t2, 1.0)), timedCounts("rpc_seconds", "a"));
    assertEquals(List.of(List.of(now, 2.0)), timedCounts("rpc_seconds", "b"));
    assertEquals(List.of(List.of(t3, 3.0)), timedCounts("rpc_seconds", "c"));
  }

  @Test
  void aConvertedHistogramHasTheCreatedTimestampOfItsGroup() {
    long now = clock.millis;
    long ct = now - 10_250;
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + CONVERT;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    ScrapeLoop l = new ScrapeLoop("app", t, cfg, storage, fetcher, cfg.http().newAuthorization(), clock, "Kiln/test",
        false, true);
    serve(OM, """
        # TYPE rpc_seconds histogram
        rpc_seconds_bucket{svc="a",le="1"} 1
        rpc_seconds_bucket{svc="a",le="+Inf"} 2
        rpc_seconds_count{svc="a"} 2
        rpc_seconds_sum{svc="a"} 1.5
        rpc_seconds_created{svc="a"} %s
        # TYPE jobs counter
        jobs_total 3
        # EOF
        """.formatted(String.format(java.util.Locale.ROOT, "%.3f", ct / 1000.0)));
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 2.0)), timedCounts("rpc_seconds", "a"),
        "a zero histogram at the created timestamp, then the converted one");
  }

  @Test
  void aConvertedProtobufHistogramKeepsItsCreatedTimestamp() {
    long now = clock.millis;
    long ct = now - 10_250;
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + CONVERT;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    ScrapeLoop l = new ScrapeLoop("app", t, cfg, storage, fetcher, cfg.http().newAuthorization(), clock, "Kiln/test",
        false, true);
    Pb created = Pb.msg().int64(1, Math.floorDiv(ct, 1000)).int64(2, Math.floorMod(ct, 1000) * 1_000_000L);
    Pb classic = Pb.msg().uint(1, 11).dbl(2, 20.5).msg(3, Pb.msg().uint(1, 6).dbl(2, 1.0)).msg(15, created);
    Pb counter = Pb.msg().string(1, "jobs_total").uint(3, 0).msg(4, Pb.msg().label("svc", "a").msg(3, Pb.msg().dbl(1, 3)));
    fetcher.contentType = ProtobufScrapeTest.PROTO;
    fetcher.body = Pb.delimited(Pb.msg().string(1, "rpc_seconds").uint(3, 4).msg(4, Pb.msg().label("svc", "a").msg(7, classic)),
        counter);
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 11.0)), timedCounts("rpc_seconds", "a"));
    assertEquals(List.of(List.of(now, 3.0)), timedCounts("jobs_total", "a"), "the counter after it has no created timestamp");
  }

  @Test
  void aBucketWithANaNBoundIsKeptAsASeriesAndItsHistogramGoesOn() {
    ScrapeLoop l = loop(CONVERT);
    serve(TEXT, """
        # TYPE h histogram
        h_bucket{le="1"} 1
        h_bucket{le="NaN"} 5
        h_bucket{le="+Inf"} 2
        h_count 2
        h_sum 3
        """);
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertNhcb(only("h", null), new double[] {1}, new Span[] {new Span(0, 2)}, new double[] {1, 1}, 2, 3);
    assertEquals(List.of(5.0), stored("h_bucket", null), "the NaN bucket is no part of the histogram: kept as is");
  }
}
