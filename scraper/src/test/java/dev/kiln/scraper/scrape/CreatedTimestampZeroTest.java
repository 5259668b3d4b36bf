package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.parse.Pb;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Created-timestamp zero ingestion ({@code --enable-feature=created-timestamp-zero-ingestion}) on
 * protobuf scrapes, as Prometheus's scrape loop does it with {@code AppendCTZeroSample} and
 * {@code AppendHistogramCTZeroSample}.
 */
class CreatedTimestampZeroTest {
  private final InMemoryStorage storage = new InMemoryStorage();
  private final ProtobufScrapeTest.BytesFetcher fetcher = new ProtobufScrapeTest.BytesFetcher();
  private final ScrapeLoopTest.ManualClock clock = new ScrapeLoopTest.ManualClock();

  private ScrapeLoop loop(boolean feature) {
    return loop(feature, "");
  }

  private ScrapeLoop loop(boolean feature, String jobYaml) {
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n"
        + "    scrape_native_histograms: true\n" + jobYaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    return new ScrapeLoop("app", t, cfg, storage, fetcher, cfg.http().newAuthorization(), clock, "Kiln/test", false, feature);
  }

  private static Pb timestamp(long millis) {
    return Pb.msg().int64(1, Math.floorDiv(millis, 1000)).int64(2, Math.floorMod(millis, 1000) * 1_000_000L);
  }

  /** A counter, a summary and a native histogram (schema 3) created at {@code ct}, and a gauge. */
  private static byte[] page(long ct) {
    Pb counter = Pb.msg().string(1, "jobs_total").uint(3, 0)
        .msg(4, Pb.msg().msg(3, Pb.msg().dbl(1, 3).msg(3, timestamp(ct))));
    Pb summary = Pb.msg().string(1, "rpc_seconds").uint(3, 2)
        .msg(4, Pb.msg().msg(4, Pb.msg().uint(1, 4).dbl(2, 1.5).msg(3, Pb.msg().dbl(1, 0.5).dbl(2, 0.25)).msg(4, timestamp(ct))));
    Pb histogram = Pb.msg().string(1, "lat_seconds").uint(3, 4).msg(4, Pb.msg().msg(7, Pb.msg().uint(1, 3).dbl(2, 2.0)
        .sint(5, 3).dbl(6, 0.001).uint(7, 1).msg(12, Pb.msg().sint(1, 0).uint(2, 2)).packedSint(13, 1, 0)
        .msg(15, timestamp(ct))));
    Pb gauge = Pb.msg().string(1, "temp").uint(3, 1).msg(4, Pb.msg().msg(2, Pb.msg().dbl(1, 21)));
    return Pb.delimited(counter, summary, histogram, gauge);
  }

  /** The (timestamp, value) pairs of a series; histograms as their float form. */
  private List<List<Object>> samples(String metric) {
    List<List<Object>> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", metric));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        for (ValueType v = it.next(); v != ValueType.NONE; v = it.next()) {
          Object value = v == ValueType.HISTOGRAM ? it.atHistogram(null).toFloat(null)
              : v == ValueType.FLOAT_HISTOGRAM ? it.atFloatHistogram(null) : (Object) it.atV();
          out.add(List.of(it.atT(), value));
        }
      }
    }
    return out;
  }

  @Test
  void zeroSamplesPrecedeCountersSummariesAndHistogramsAtTheirCreatedTimestamp() {
    long now = clock.millis;
    long ct = now - 10_250;
    fetcher.body = page(ct);
    ScrapeLoop loop = loop(true);
    loop.scrape();
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 3.0)), samples("jobs_total"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 4.0)), samples("rpc_seconds_count"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 1.5)), samples("rpc_seconds_sum"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 0.25)), samples("rpc_seconds"));
    assertEquals(List.of(List.of(now, 21.0)), samples("temp"), "gauges have no created timestamp");

    List<List<Object>> h = samples("lat_seconds");
    assertEquals(2, h.size(), h.toString());
    assertEquals(ct, h.get(0).get(0));
    FloatHistogram zero = (FloatHistogram) h.get(0).get(1);
    assertEquals(3, zero.schema);
    assertEquals(0.001, zero.zeroThreshold);
    assertEquals(0.0, zero.count);
    assertEquals(0.0, zero.sum);
    assertEquals(CounterResetHint.COUNTER_RESET, zero.counterResetHint);
    assertEquals(3.0, ((FloatHistogram) h.get(1).get(1)).count);

    // The next scrape's zero sample is older than the series' last sample: ignored, the sample is stored.
    clock.millis += 15_000;
    loop.scrape();
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 3.0), List.of(now + 15_000, 3.0)), samples("jobs_total"));
    assertEquals(3, samples("lat_seconds").size());
  }

  @Test
  void noZeroSampleWhenTheFeatureIsOffOrTheCreatedTimestampIsNotBeforeTheSample() {
    long now = clock.millis;
    fetcher.body = page(now - 5_000);
    loop(false).scrape();
    assertEquals(List.of(List.of(now, 3.0)), samples("jobs_total"));
    assertEquals(1, samples("lat_seconds").size());

    InMemoryStorage fresh = new InMemoryStorage();
    fetcher.body = page(now);
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n"
        + "    scrape_native_histograms: true\n", Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    new ScrapeLoop("app", t, cfg, fresh, fetcher, cfg.http().newAuthorization(), clock, "Kiln/test", false, true).scrape();
    try (Querier q = fresh.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", "jobs_total"));
      s.next();
      SampleIterator it = s.at().iterator(null);
      it.next();
      assertEquals(now, it.atT(), "a created timestamp equal to the sample's adds no zero sample");
      assertEquals(ValueType.NONE, it.next());
    }
  }

  /** An OpenMetrics page whose counters, histogram and summary give created timestamps in {@code _created} lines. */
  private static byte[] openMetricsPage(long ct) {
    String c = String.format(java.util.Locale.ROOT, "%.3f", ct / 1000.0);
    String later = String.format(java.util.Locale.ROOT, "%.3f", (ct + 1000) / 1000.0);
    return ("""
        # TYPE jobs counter
        jobs_total{queue="a"} 3
        jobs_created{queue="a"} %1$s
        jobs_total{queue="b"} 5
        jobs_created{queue="b"} %2$s
        # TYPE swapped counter
        swapped_total{x="1"} 1
        swapped_total{x="2"} 2
        swapped_created{x="2"} %1$s
        swapped_created{x="1"} %1$s
        # TYPE lat_seconds histogram
        lat_seconds_bucket{le="0.5"} 1
        lat_seconds_bucket{le="+Inf"} 2
        lat_seconds_count 2
        lat_seconds_sum 0.75
        lat_seconds_created %1$s
        # TYPE rpc_seconds summary
        rpc_seconds{quantile="0.5"} 0.25
        rpc_seconds_count 4
        rpc_seconds_sum 1.5
        rpc_seconds_created %1$s
        # TYPE temp gauge
        temp 21
        # TYPE temp_created gauge
        temp_created 7
        # EOF
        """).formatted(c, later).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void openMetricsCreatedLinesGiveCreatedTimestampsAndAreNotStored() {
    long now = clock.millis;
    long ct = now - 10_250;
    fetcher.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    fetcher.body = openMetricsPage(ct);
    loop(true).scrape();
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 3.0)), samples("jobs_total", "queue", "a"));
    assertEquals(List.of(List.of(ct + 1000, 0.0), List.of(now, 5.0)), samples("jobs_total", "queue", "b"));
    assertEquals(List.of(), samples("jobs_created"), "_created lines are created timestamps, not series");
    assertEquals(List.of(List.of(now, 1.0)), samples("swapped_total", "x", "1"),
        "the next _created line is another series': no created timestamp, as Prometheus's look-ahead");
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 2.0)), samples("swapped_total", "x", "2"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 1.0)), samples("lat_seconds_bucket", "le", "0.5"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 2.0)), samples("lat_seconds_count"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 0.75)), samples("lat_seconds_sum"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 0.25)), samples("rpc_seconds"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 4.0)), samples("rpc_seconds_count"));
    assertEquals(List.of(), samples("rpc_seconds_created"));
    assertEquals(List.of(List.of(now, 21.0)), samples("temp"));
    assertEquals(List.of(List.of(now, 7.0)), samples("temp_created"), "a gauge's _created is an ordinary series");
  }

  @Test
  void createdLinesDroppedByMetricRelabelingStillGiveCreatedTimestamps() {
    long now = clock.millis;
    long ct = now - 10_250;
    fetcher.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    fetcher.body = openMetricsPage(ct);
    ScrapeLoop l = loop(true, "    metric_relabel_configs: [{source_labels: [__name__], regex: '.+_created', action: drop}]\n");
    l.scrape();
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 3.0)), samples("jobs_total", "queue", "a"));
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 2.0)), samples("lat_seconds_count"));
    assertEquals(List.of(), samples("temp_created"), "a gauge's _created is dropped as any series");
    clock.millis += 15_000;
    l.scrape(); // from the cache this time
    assertEquals(List.of(List.of(ct, 0.0), List.of(now, 4.0), List.of(now + 15_000, 4.0)), samples("rpc_seconds_count"));
  }

  @Test
  void withoutTheFeatureOpenMetricsCreatedLinesAreSeries() {
    long now = clock.millis;
    long ct = now - 10_250;
    fetcher.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    fetcher.body = openMetricsPage(ct);
    loop(false).scrape();
    assertEquals(List.of(List.of(now, 3.0)), samples("jobs_total", "queue", "a"));
    assertEquals(List.of(List.of(now, ct / 1000.0)), samples("jobs_created", "queue", "a"));
  }

  /** The samples of the series with the name and one more label. */
  private List<List<Object>> samples(String metric, String label, String value) {
    List<List<Object>> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", metric), LabelMatcher.equal(label, value));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        for (ValueType v = it.next(); v != ValueType.NONE; v = it.next()) {
          out.add(List.of(it.atT(), it.atV()));
        }
      }
    }
    return out;
  }
}
