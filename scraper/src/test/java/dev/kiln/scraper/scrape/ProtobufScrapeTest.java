package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigException;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.parse.Pb;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scrapes of the protobuf exposition: negotiation, native histograms and their limits. */
class ProtobufScrapeTest {
  static final String PROTO = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

  static final class BytesFetcher implements HttpFetcher {
    String contentType = PROTO;
    byte[] body = new byte[0];
    Map<String, String> lastHeaders;

    @Override
    public Response fetch(URI url, Map<String, String> headers, HttpClientConfig c, long timeout, long limit) {
      lastHeaders = headers;
      return new Response(200, contentType, body, body.length);
    }
  }

  private final InMemoryStorage storage = new InMemoryStorage();
  private final BytesFetcher fetcher = new BytesFetcher();
  private final ScrapeLoopTest.ManualClock clock = new ScrapeLoopTest.ManualClock();

  private static ScrapeConfig config(String globalYaml, String jobYaml) {
    String yaml = globalYaml + "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + jobYaml;
    return ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
  }

  private ScrapeLoop loop(ScrapeConfig cfg) {
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    return new ScrapeLoop("app", t, cfg, storage, fetcher, clock, "Kiln/test", false);
  }

  private ScrapeLoop loop(String jobYaml) {
    return loop(config("", jobYaml));
  }

  /** Counts 1, 2, 3, 4 at schema 3 in one span from index 0, plus a zero bucket of 1; count 11. */
  static byte[] page(String name) {
    Pb h = Pb.msg().uint(1, 11).dbl(2, 20.5).sint(5, 3).dbl(6, 0.001).uint(7, 1)
        .msg(12, Pb.msg().sint(1, 0).uint(2, 4)).packedSint(13, 1, 1, 1, 1)
        .msg(3, Pb.msg().uint(1, 6).dbl(2, 1.0));
    Pb hist = Pb.msg().string(1, name).uint(3, 4).msg(4, Pb.msg().label("svc", "a").msg(7, h));
    Pb counter = Pb.msg().string(1, "jobs_total").uint(3, 0).msg(4, Pb.msg().msg(3, Pb.msg().dbl(1, 3)));
    return Pb.delimited(hist, counter);
  }

  private List<Object> stored(String metric) {
    List<Object> out = new ArrayList<>();
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", metric));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        for (ValueType v = it.next(); v != ValueType.NONE; v = it.next()) {
          // Histograms as float histograms: the in-memory storage keeps them so.
          out.add(v == ValueType.HISTOGRAM ? it.atHistogram(null).toFloat(null)
              : v == ValueType.FLOAT_HISTOGRAM ? it.atFloatHistogram(null) : (Object) it.atV());
        }
      }
    }
    return out;
  }

  @Test
  void acceptHeaderFollowsScrapeProtocolsAsPrometheusBuildsIt() {
    assertEquals("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
        + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
        + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2", headerOf(config("", "")));
    String protoFirst = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
        + "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
        + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    assertEquals(protoFirst, headerOf(config("", "    scrape_native_histograms: true\n")));
    assertEquals(protoFirst, headerOf(config("", "").withNativeHistogramsFeature()));
    String two = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.4";
    assertEquals(two, headerOf(config("global:\n  scrape_protocols: [PrometheusProto, PrometheusText0.0.4]\n", "")));
    assertEquals("text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.5",
        headerOf(config("global:\n  scrape_protocols: [PrometheusProto]\n", "    scrape_protocols: [PrometheusText1.0.0]\n")
            .withNativeHistogramsFeature()), "a job's own list wins over the global one and the feature's default");
  }

  private String headerOf(ScrapeConfig cfg) {
    fetcher.body = new byte[0];
    loop(cfg).scrape();
    return fetcher.lastHeaders.get("Accept");
  }

  @Test
  void unknownAndDuplicatedProtocolsAreConfigErrors() {
    ConfigException unknown = assertThrows(ConfigException.class, () -> config("", "    scrape_protocols: [Proto]\n"));
    assertTrue(unknown.getMessage().contains("unknown scrape protocol Proto"), unknown.getMessage());
    ConfigException dup = assertThrows(ConfigException.class,
        () -> config("", "    scrape_protocols: [PrometheusProto, PrometheusProto]\n"));
    assertTrue(dup.getMessage().contains("duplicated protocol in scrape_protocols"), dup.getMessage());
  }

  @Test
  void nativeHistogramsAreStoredWhenEnabledAndGoStaleWhenTheyVanish() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n");
    fetcher.body = page("rpc_seconds");
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    List<Object> hs = stored("rpc_seconds");
    assertEquals(1, hs.size());
    FloatHistogram h = (FloatHistogram) hs.get(0);
    assertEquals(3, h.schema);
    assertEquals(11, h.count);
    assertEquals(20.5, h.sum);
    assertEquals(List.of(new Span(0, 4)), List.of(h.positiveSpans));
    assertEquals(List.of(), stored("rpc_seconds_bucket"), "classic buckets are not kept by default");
    assertEquals(List.of(3.0), stored("jobs_total"));
    assertEquals(List.of(2.0), stored("scrape_samples_scraped"));

    clock.millis += 15_000;
    fetcher.body = Pb.delimited(Pb.msg().string(1, "jobs_total").uint(3, 0).msg(4, Pb.msg().msg(3, Pb.msg().dbl(1, 4))));
    l.scrape();
    List<Object> after = stored("rpc_seconds");
    assertEquals(2, after.size());
    Object last = after.get(1);
    double sum = last instanceof Double d ? d : ((FloatHistogram) last).sum;
    assertTrue(StaleNaN.is(sum), "the vanished histogram series ends in a stale marker: " + last);
  }

  @Test
  void withoutNativeHistogramsTheClassicSeriesAreStored() {
    ScrapeLoop l = loop("");
    fetcher.body = page("rpc_seconds");
    l.scrape();
    assertEquals(List.of(), stored("rpc_seconds"));
    assertEquals(List.of(11.0), stored("rpc_seconds_count"));
    assertEquals(List.of(11.0, 6.0), stored("rpc_seconds_bucket"), "le=+Inf sorts before le=1.0");
  }

  @Test
  void alwaysScrapeClassicHistogramsKeepsBoth() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    always_scrape_classic_histograms: true\n");
    fetcher.body = page("rpc_seconds");
    l.scrape();
    assertEquals(1, stored("rpc_seconds").size());
    assertEquals(List.of(20.5), stored("rpc_seconds_sum"));
    assertEquals(List.of(11.0, 6.0), stored("rpc_seconds_bucket"), "le=+Inf sorts before le=1.0");
    assertEquals(List.of(6.0), stored("scrape_samples_scraped"), "histogram, _count, _sum, two buckets, counter");
  }

  @Test
  void scrapeClassicHistogramsIsThe2xNameOfAlwaysScrapeClassic() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    scrape_classic_histograms: true\n");
    fetcher.body = page("rpc_seconds");
    l.scrape();
    assertEquals(1, stored("rpc_seconds").size());
    assertEquals(List.of(11.0), stored("rpc_seconds_count"));
  }

  @Test
  void bucketLimitReducesResolutionUntilTheHistogramFits() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    native_histogram_bucket_limit: 2\n");
    fetcher.body = page("rpc_seconds");
    l.scrape();
    FloatHistogram h = (FloatHistogram) stored("rpc_seconds").get(0);
    // Schema 3 indexes 0..3 become schema 2 indexes 0..2, then schema 1 indexes 0..1.
    assertEquals(1, h.schema);
    assertEquals(2, h.positiveBuckets.length);
    assertEquals(11, h.count);
    assertEquals(1, h.zeroCount);
    double total = 0;
    for (var it = h.positiveBucketIterator(); it.next(); ) {
      total += it.at().count();
    }
    assertEquals(10, total, "reduction keeps every observation");
  }

  @Test
  void aHistogramThatCannotFitTheBucketLimitFailsTheScrape() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    native_histogram_bucket_limit: 1\n");
    Pb h = Pb.msg().uint(1, 2).dbl(2, 0).sint(5, 0)
        .msg(12, Pb.msg().sint(1, 0).uint(2, 1)).packedSint(13, 1)
        .msg(9, Pb.msg().sint(1, 0).uint(2, 1)).packedSint(10, 1);
    fetcher.body = Pb.delimited(Pb.msg().string(1, "two_sided").uint(3, 4).msg(4, Pb.msg().msg(7, h)));
    l.scrape();
    assertEquals(TargetHealth.DOWN, l.status().health());
    assertEquals("histogram bucket limit exceeded", l.status().lastError());
    assertEquals(List.of(), stored("two_sided"));
  }

  @Test
  void anInvalidHistogramFailsTheScrapeAsInPrometheus() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n");
    Pb h = Pb.msg().uint(1, 1).dbl(2, 0).sint(5, 0).msg(12, Pb.msg().sint(1, 0).uint(2, 1)).packedSint(13, 10);
    fetcher.body = Pb.delimited(Pb.msg().string(1, "bad").uint(3, 4).msg(4, Pb.msg().msg(7, h)),
        Pb.msg().string(1, "jobs_total").uint(3, 0).msg(4, Pb.msg().msg(3, Pb.msg().dbl(1, 3))));
    l.scrape();
    assertEquals(TargetHealth.DOWN, l.status().health());
    assertTrue(l.status().lastError().contains("count"), l.status().lastError());
    assertEquals(List.of(), stored("jobs_total"), "nothing of the failed scrape is stored");
  }

  @Test
  void minBucketFactorCapsTheSchema() {
    assertEquals(8, HistogramLimits.pickSchema(0));
    assertEquals(2, HistogramLimits.pickSchema(1.1));
    assertEquals(0, HistogramLimits.pickSchema(2));
    assertEquals(-4, HistogramLimits.pickSchema(1e300));
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    native_histogram_min_bucket_factor: 1.1\n");
    fetcher.body = page("rpc_seconds");
    l.scrape();
    FloatHistogram h = (FloatHistogram) stored("rpc_seconds").get(0);
    assertEquals(2, h.schema);
    assertEquals(11, h.count);
  }

  @Test
  void protobufFallbackProtocolParsesABodyWithoutContentType() {
    ScrapeLoop l = loop("    scrape_native_histograms: true\n    fallback_scrape_protocol: PrometheusProto\n");
    fetcher.contentType = "";
    fetcher.body = page("rpc_seconds");
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertEquals(1, stored("rpc_seconds").size());
  }
}
