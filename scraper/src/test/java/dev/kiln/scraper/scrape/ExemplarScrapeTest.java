package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.parse.Pb;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exemplars a scrape stores, per exposition format, as Prometheus 3.x's scrape loop appends them. */
class ExemplarScrapeTest {
  private static final String OM = "application/openmetrics-text; version=1.0.0";
  private static final long T = 1_700_000_000_000L;

  private final Head head = Head.inMemory();
  private final ProtobufScrapeTest.BytesFetcher fetcher = new ProtobufScrapeTest.BytesFetcher();
  private final ScrapeLoopTest.ManualClock clock = new ScrapeLoopTest.ManualClock();

  @AfterEach
  void close() {
    head.close();
  }

  private final ScrapeAppendErrors appendErrors = new ScrapeAppendErrors();

  private ScrapeLoop loop(String jobYaml) {
    head.exemplars().resize(100);
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + jobYaml;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    return new ScrapeLoop("app", t, cfg, head, fetcher, cfg.http().newAuthorization(), clock, "Kiln/test", false, false, appendErrors);
  }

  /** Series name (and le) to its exemplars as "labels value@t". */
  private Map<String, List<String>> stored() {
    Map<String, List<String>> out = new TreeMap<>();
    for (SeriesExemplars s : head.exemplars().select(Long.MIN_VALUE, Long.MAX_VALUE, List.of(List.of(LabelMatcher.equal("job", "app"))))) {
      String le = s.seriesLabels().get("le");
      out.put(s.seriesLabels().metricName() + (le == null ? "" : "{le=" + le + "}"),
          s.exemplars().stream().map(e -> e.labels().toString() + " " + e.value() + "@" + e.timestampMillis()).toList());
    }
    return out;
  }

  @Test
  void openMetricsExemplarsTakeTheSampleTimeWhenTheyHaveNone() {
    ScrapeLoop l = loop("    metric_relabel_configs: [{source_labels: [__name__], regex: dropped_total, action: drop}]\n");
    fetcher.contentType = OM;
    fetcher.body = """
        # TYPE req counter
        req_total 5 # {trace_id="a"} 1.5 1699999999.5
        # TYPE dropped counter
        dropped_total 1 # {trace_id="gone"} 1
        # TYPE lat histogram
        lat_bucket{le="1.0"} 1 # {trace_id="b",span=""} 0.5
        lat_bucket{le="+Inf"} 2 123000 # {trace_id="c"} 3
        lat_count 2
        lat_sum 3.5
        # EOF
        """.getBytes(StandardCharsets.UTF_8);
    l.scrape();
    long now = clock.millis();
    assertEquals(Map.of(
        "req_total", List.of("{trace_id=\"a\"} 1.5@1699999999500"),
        "lat_bucket{le=1.0}", List.of("{trace_id=\"b\"} 0.5@" + now),
        "lat_bucket{le=+Inf}", List.of("{trace_id=\"c\"} 3.0@123000000")), stored());
    // The same page again: timestamped exemplars are duplicates, untimed ones new at the new time.
    clock.millis += 15_000;
    l.scrape();
    assertEquals(List.of("{trace_id=\"a\"} 1.5@1699999999500"), stored().get("req_total"));
    assertEquals(2, stored().get("lat_bucket{le=1.0}").size());
  }

  @Test
  void outOfOrderExemplarsAreCountedInPrometheusScrapeMetric() {
    ScrapeLoop l = loop("");
    fetcher.contentType = OM;
    fetcher.body = """
        # TYPE req counter
        req_total 5 # {trace_id="a"} 1.5 1699999999.5
        # TYPE other counter
        other_total 1 # {trace_id="x"} 1 1699999990
        # EOF
        """.getBytes(StandardCharsets.UTF_8);
    l.scrape();
    assertEquals(0, appendErrors.exemplarOutOfOrder());
    clock.millis += 15_000;
    // An older exemplar on each series than the stored ones, and a repeat (a duplicate, not counted).
    fetcher.body = """
        # TYPE req counter
        req_total 6 # {trace_id="b"} 1.5 1699999998
        # TYPE other counter
        other_total 2 # {trace_id="x"} 1 1699999990
        # EOF
        """.getBytes(StandardCharsets.UTF_8);
    l.scrape();
    assertEquals(1, appendErrors.exemplarOutOfOrder());
    assertEquals(List.of("{trace_id=\"a\"} 1.5@1699999999500"), stored().get("req_total"));
    String text = appendErrors.metricsText();
    assertTrue(text.contains("# TYPE prometheus_target_scrapes_exemplar_out_of_order_total counter\n"
        + "prometheus_target_scrapes_exemplar_out_of_order_total 1\n"), text);
    assertTrue(text.contains("prometheus_target_scrapes_sample_out_of_order_total 0\n"), text);
  }

  @Test
  void rejectedSamplesAreCountedByReason() {
    ScrapeLoop l = loop("    honor_timestamps: true\n");
    fetcher.contentType = OM;
    fetcher.body = """
        # TYPE a gauge
        a 1 1700000000
        # TYPE b gauge
        b 1 1700000000
        # EOF
        """.getBytes(StandardCharsets.UTF_8);
    l.scrape();
    clock.millis += 15_000;
    fetcher.body = """
        # TYPE a gauge
        a 2 1699999999
        # TYPE b gauge
        b 2 1700000000
        # TYPE c gauge
        c 1 1900000000
        # EOF
        """.getBytes(StandardCharsets.UTF_8);
    l.scrape();
    String text = appendErrors.metricsText();
    assertTrue(text.contains("prometheus_target_scrapes_sample_out_of_order_total 1\n"), text);
    assertTrue(text.contains("prometheus_target_scrapes_sample_duplicate_timestamp_total 1\n"), text);
    assertTrue(text.contains("prometheus_target_scrapes_sample_out_of_bounds_total 1\n"), text);
  }

  @Test
  void classicHistogramExemplarsGoWithTheConvertedHistogram() {
    ScrapeLoop l = loop("    convert_classic_histograms_to_nhcb: true\n    always_scrape_classic_histograms: true\n");
    fetcher.contentType = OM;
    fetcher.body = """
        # TYPE lat histogram
        lat_bucket{le="1.0"} 1 # {trace_id="b"} 0.5 1700000000
        lat_bucket{le="2.0"} 1 # {trace_id="untimed"} 1.5
        lat_bucket{le="+Inf"} 2 # {trace_id="c"} 3 1700000001
        lat_count 2
        lat_sum 3.5
        # EOF
        """.getBytes(StandardCharsets.UTF_8);
    l.scrape();
    // The untimed one is dropped: the converted series is a native histogram.
    assertEquals(Map.of("lat", List.of("{trace_id=\"b\"} 0.5@1700000000000", "{trace_id=\"c\"} 3.0@1700000001000")), stored());
  }

  @Test
  void protobufExemplarsOfCountersClassicBucketsAndNativeHistograms() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    always_scrape_classic_histograms: true\n");
    Pb ts = Pb.msg().uint(1, 1_700_000_000L).uint(2, 250_000_000);
    Pb counter = Pb.msg().dbl(1, 7).msg(2, Pb.msg().label("trace_id", "ctr").dbl(2, 0.7).msg(3, ts));
    Pb classic = Pb.msg().uint(1, 3).dbl(2, 1.5)
        .msg(3, Pb.msg().uint(1, 1).dbl(2, 0.5).msg(3, Pb.msg().label("trace_id", "b1").dbl(2, 0.25)))
        .msg(3, Pb.msg().uint(1, 3).dbl(2, 1));
    Pb nativeHist = Pb.msg().uint(1, 2).dbl(2, 1).sint(5, 0).dbl(6, 0.001)
        .msg(12, Pb.msg().sint(1, 0).uint(2, 1)).packedSint(13, 2)
        .msg(3, Pb.msg().uint(1, 2).dbl(2, 1).msg(3, Pb.msg().label("trace_id", "bucket").dbl(2, 0.9).msg(3, ts)))
        .msg(16, Pb.msg().label("trace_id", "n2").dbl(2, 0.8).msg(3, ts))
        .msg(16, Pb.msg().label("trace_id", "n1").dbl(2, 0.6).msg(3, ts))
        .msg(16, Pb.msg().label("trace_id", "untimed").dbl(2, 0.1));
    fetcher.contentType = ProtobufScrapeTest.PROTO;
    fetcher.body = Pb.delimited(
        Pb.msg().string(1, "jobs_total").uint(3, 0).msg(4, Pb.msg().msg(3, counter)),
        Pb.msg().string(1, "classic_seconds").uint(3, 4).msg(4, Pb.msg().msg(7, classic)),
        Pb.msg().string(1, "native_seconds").uint(3, 4).msg(4, Pb.msg().msg(7, nativeHist)));
    l.scrape();
    assertEquals(Map.of(
        "jobs_total", List.of("{trace_id=\"ctr\"} 0.7@1700000000250"),
        "classic_seconds_bucket{le=0.5}", List.of("{trace_id=\"b1\"} 0.25@" + clock.millis()),
        // The histogram's own exemplars win over its buckets'; sorted by time and value; untimed dropped.
        "native_seconds", List.of("{trace_id=\"n1\"} 0.6@1700000000250", "{trace_id=\"n2\"} 0.8@1700000000250"),
        "native_seconds_bucket{le=1.0}", List.of("{trace_id=\"bucket\"} 0.9@1700000000250")), stored());
  }

  @Test
  void exemplarsAreDroppedWhenTheStorageKeepsNone() {
    ScrapeLoop l = loop("");
    head.exemplars().resize(0);
    fetcher.contentType = OM;
    fetcher.body = "# TYPE req counter\nreq_total 5 # {trace_id=\"a\"} 1.5 1\n# EOF\n".getBytes(StandardCharsets.UTF_8);
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    head.exemplars().resize(10);
    assertEquals(Map.of(), stored());
  }

}
