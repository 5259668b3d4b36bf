package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrapeLoopTest {
  /** A fetcher that answers with whatever the test set last. */
  static final class FakeFetcher implements HttpFetcher {
    int status = 200;
    String contentType = "text/plain; version=0.0.4";
    String body = "";
    IOException failure;
    Map<String, String> lastHeaders;

    @Override
    public Response fetch(URI url, Map<String, String> headers, HttpClientConfig c, long timeout, long limit) throws IOException {
      lastHeaders = headers;
      if (failure != null) {
        throw failure;
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      if (limit > 0 && b.length > limit) {
        throw new BodyTooLargeException(limit);
      }
      return new Response(status, contentType, b, b.length);
    }
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    long millis = 1_700_000_000_000L;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  private final InMemoryStorage storage = new InMemoryStorage();
  private final FakeFetcher fetcher = new FakeFetcher();
  private final ManualClock clock = new ManualClock();

  private ScrapeLoop loop(String extraYaml) {
    return loop(extraYaml, storage);
  }

  private ScrapeLoop loop(String extraYaml, InMemoryStorage storage) {
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n" + extraYaml;
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of("env", "prod"), "s"))).get(0).target();
    return new ScrapeLoop("app", t, cfg, storage, fetcher, clock, "Kiln/test", false);
  }

  private List<double[]> samples(String metric, String... labelPairs) {
    List<double[]> out = new ArrayList<>();
    List<LabelMatcher> ms = new ArrayList<>();
    ms.add(LabelMatcher.equal("__name__", metric));
    for (int i = 0; i < labelPairs.length; i += 2) {
      ms.add(LabelMatcher.equal(labelPairs[i], labelPairs[i + 1]));
    }
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, ms.toArray(new LabelMatcher[0]));
      while (s.next()) {
        SampleIterator it = s.at().iterator(null);
        while (it.next() != ValueType.NONE) {
          out.add(new double[] {it.atT(), it.atV()});
        }
      }
    }
    return out;
  }

  @Test
  void loopsOfOnePoolShareTheirPoolsOauth2Token() throws Exception {
    com.sun.net.httpserver.HttpServer idp =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
    idp.createContext("/token", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] b = ("{\"access_token\":\"t" + issued.incrementAndGet() + "\",\"expires_in\":3600}")
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    idp.start();
    try {
      String yaml = "scrape_configs:\n  - job_name: app\n    oauth2:\n      client_id: kiln\n      token_url: http://127.0.0.1:"
          + idp.getAddress().getPort() + "/token\n";
      ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
      List<Target> targets = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1", "h:2"), Map.of(), "s")))
          .stream().map(r -> r.target()).toList();
      dev.kiln.config.HttpAuthorization poolAuth = cfg.http().newAuthorization();
      fetcher.body = "x 1\n";
      for (Target t : targets) {
        new ScrapeLoop("app", t, cfg, storage, fetcher, poolAuth, clock, "Kiln/test", false).scrape();
        assertEquals("Bearer t1", fetcher.lastHeaders.get("Authorization"));
      }
      assertEquals(1, issued.get());
      new ScrapeLoop("app", targets.get(0), cfg, storage, fetcher, clock, "Kiln/test", false).scrape();
      assertEquals("Bearer t2", fetcher.lastHeaders.get("Authorization"), "another pool, another token");
    } finally {
      idp.stop(0);
    }
  }

  @Test
  void successfulScrapeStoresSamplesWithTargetLabelsAndReportSeries() {
    ScrapeLoop l = loop("");
    fetcher.body = "# TYPE x counter\nx{a=\"1\"} 5\nx{a=\"2\"} 6\n";
    l.scrape();
    assertEquals(List.of(5.0), values(samples("x", "a", "1", "job", "app", "instance", "h:1", "env", "prod")));
    assertEquals(List.of(1.0), values(samples("up", "job", "app", "instance", "h:1")));
    assertEquals(List.of(2.0), values(samples("scrape_samples_scraped")));
    assertEquals(List.of(2.0), values(samples("scrape_series_added")));
    assertEquals(TargetHealth.UP, l.status().health());
    assertEquals(ScrapeLoop.ACCEPT_HEADER, fetcher.lastHeaders.get("Accept"));
    assertEquals("10", fetcher.lastHeaders.get("X-Prometheus-Scrape-Timeout-Seconds"));
  }

  @Test
  void vanishedSeriesGetStaleMarkersAndFailedScrapeStalesEverything() {
    ScrapeLoop l = loop("");
    fetcher.body = "x{a=\"1\"} 1\nx{a=\"2\"} 2\n";
    l.scrape();
    clock.millis += 15_000;
    fetcher.body = "x{a=\"1\"} 1\n";
    l.scrape();
    List<double[]> a2 = samples("x", "a", "2");
    assertEquals(2, a2.size());
    assertTrue(StaleNaN.is(a2.get(1)[1]), "series a=2 vanished and must end with a stale marker");
    clock.millis += 15_000;
    fetcher.status = 500;
    l.scrape();
    List<double[]> a1 = samples("x", "a", "1");
    assertTrue(StaleNaN.is(a1.get(a1.size() - 1)[1]));
    assertEquals(List.of(1.0, 1.0, 0.0), values(samples("up")));
    assertEquals("server returned HTTP status 500 Internal Server Error", l.status().lastError());
    assertEquals(TargetHealth.DOWN, l.status().health());
  }

  @Test
  void failedScrapeIngestsNothingPartial() {
    ScrapeLoop l = loop("    sample_limit: 2\n");
    fetcher.body = "a 1\nb 2\nc 3\n";
    l.scrape();
    assertEquals(0, samples("a").size());
    assertEquals("sample limit exceeded", l.status().lastError());
    clock.millis += 15_000;
    fetcher.body = "a 1\nb 2\nbroken{ 3\n";
    l.scrape();
    assertEquals(0, samples("a").size());
    assertTrue(l.status().lastError().startsWith("line 3: "), l.status().lastError());
    assertEquals(List.of(0.0, 0.0), values(samples("up")));
  }

  @Test
  void sampleLimitBreachRollsBackTheScrapeAndReportsItsCountsAsPrometheus() {
    ScrapeLoop l = loop("    sample_limit: 1\n");
    fetcher.body = "metric_a 1\n";
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health());
    clock.millis += 15_000;
    // Prometheus's TestScrapeLoopAppendSampleLimit: limit 1, three samples: scraped 3, post-relabel 3, added 1.
    fetcher.body = "metric_a 2\nmetric_b 1\nmetric_c 1\n";
    l.scrape();
    assertEquals("sample limit exceeded", l.status().lastError());
    assertEquals(TargetHealth.DOWN, l.status().health());
    assertEquals(List.of(1.0, 0.0), values(samples("up")));
    assertEquals(List.of(1.0, 3.0), values(samples("scrape_samples_scraped")));
    assertEquals(List.of(1.0, 3.0), values(samples("scrape_samples_post_metric_relabeling")));
    assertEquals(List.of(1.0, 0.0), values(samples("scrape_series_added")),
        "metric_a was known by the second scrape; b and c came after the limit");
    List<double[]> a = samples("metric_a");
    assertEquals(2, a.size(), "the accepted metric_a 2 was rolled back; a stale marker took its place");
    assertTrue(StaleNaN.is(a.get(1)[1]));
    assertEquals(0, samples("metric_b").size());
  }

  @Test
  void aFirstScrapeOverTheSampleLimitCountsTheSeriesAddedBeforeTheBreach() {
    ScrapeLoop l = loop("    sample_limit: 1\n");
    fetcher.body = "metric_a 1\nmetric_b 1\nmetric_c 1\n";
    l.scrape();
    assertEquals(List.of(0.0), values(samples("up")));
    assertEquals(List.of(3.0), values(samples("scrape_samples_scraped")));
    assertEquals(List.of(3.0), values(samples("scrape_samples_post_metric_relabeling")));
    assertEquals(List.of(1.0), values(samples("scrape_series_added")));
    assertEquals(0, samples("metric_a").size());
  }

  @Test
  void aLabelLimitBreachTakesPrecedenceOverTheSampleLimit() {
    ScrapeLoop l = loop("    sample_limit: 1\n    label_limit: 4\n");
    fetcher.body = "a 1\nb 1\nc{x=\"1\",y=\"2\"} 1\n";
    l.scrape();
    assertEquals("label_limit exceeded (metric: c, number of labels: 6, limit: 4)", l.status().lastError());
    assertEquals(List.of(0.0), values(samples("up")));
    assertEquals(0, samples("a").size());
  }

  @Test
  void stalenessMarkersOfKnownSeriesDoNotCountTowardsTheSampleLimit() {
    ScrapeLoop l = loop("    sample_limit: 2\n");
    fetcher.body = "a 1\nb 1\n";
    l.scrape();
    clock.millis += 15_000;
    fetcher.body = "c 1\nd 1\n";
    l.scrape();
    assertEquals(TargetHealth.UP, l.status().health(), l.status().lastError());
    assertEquals(List.of(1.0), values(samples("c")));
    assertTrue(StaleNaN.is(samples("a").get(1)[1]));
  }

  @Test
  void honorLabelsAndExportedPrefix() {
    fetcher.body = "x{job=\"batch\",instance=\"a\"} 1\n";
    loop("").scrape();
    assertEquals(1, samples("x", "exported_job", "batch", "exported_instance", "a", "job", "app", "instance", "h:1").size());
    storage.clear();
    loop("    honor_labels: true\n").scrape();
    assertEquals(1, samples("x", "job", "batch", "instance", "a", "env", "prod").size());
  }

  @Test
  void explicitTimestampsAreHonoured() {
    fetcher.body = "x 1 1600000000000\n";
    loop("").scrape();
    assertEquals(1600000000000.0, samples("x").get(0)[0]);
    storage.clear();
    loop("    honor_timestamps: false\n").scrape();
    assertEquals((double) clock.millis, samples("x").get(0)[0]);
  }

  @Test
  void unknownContentTypeFailsUnlessAFallbackIsConfigured() {
    fetcher.contentType = "application/json";
    fetcher.body = "x 1\n";
    ScrapeLoop l = loop("");
    l.scrape();
    assertTrue(l.status().lastError().contains("unsupported Content-Type"), l.status().lastError());
    ScrapeLoop withFallback = loop("    fallback_scrape_protocol: PrometheusText0.0.4\n");
    withFallback.scrape();
    assertEquals("", withFallback.status().lastError());
  }

  @Test
  void metricRelabelingDropsSamples() {
    fetcher.body = "keep_me 1\ndrop_me 2\n";
    ScrapeLoop l = loop("    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: drop_.*\n        action: drop\n");
    l.scrape();
    assertEquals(1, samples("keep_me").size());
    assertEquals(0, samples("drop_me").size());
    assertEquals(List.of(1.0), values(samples("scrape_samples_post_metric_relabeling")));
    assertEquals(List.of(2.0), values(samples("scrape_samples_scraped")));
  }

  @Test
  void vanishedTargetIsMarkedStaleWithItsReportSeries() {
    ScrapeLoop l = loop("");
    fetcher.body = "x 1\n";
    l.scrape();
    l.markStale(clock.millis + 15_000);
    List<double[]> up = samples("up");
    assertTrue(StaleNaN.is(up.get(up.size() - 1)[1]));
    List<double[]> x = samples("x");
    assertTrue(StaleNaN.is(x.get(x.size() - 1)[1]));
  }

  @Test
  void knownSeriesTextsAreServedFromTheCacheWithTheirRelabelingResult() {
    ScrapeLoop l = loop("    metric_relabel_configs:\n"
        + "      - source_labels: [__name__]\n        regex: drop_.*\n        action: drop\n"
        + "      - target_label: stage\n        replacement: relabeled\n");
    fetcher.body = "keep_me{a=\"1\"} 1\ndrop_me 2\n";
    l.scrape();
    int keep = cachedEntry(l, "keep_me{a=\"1\"}");
    int drop = cachedEntry(l, "drop_me");
    assertNotNull(l.cache().series(keep));
    assertEquals("relabeled", l.cache().series(keep).labels.get("stage"));
    assertTrue(drop >= 0);
    assertNull(l.cache().series(drop), "a dropped series is cached as dropped");
    clock.millis += 15_000;
    fetcher.body = "keep_me{a=\"1\"} 3\ndrop_me 4\n";
    l.scrape();
    assertEquals(keep, cachedEntry(l, "keep_me{a=\"1\"}"), "the second scrape reuses the entry");
    assertEquals(drop, cachedEntry(l, "drop_me"));
    assertEquals(List.of(1.0, 3.0), values(samples("keep_me", "stage", "relabeled")));
    assertEquals(0, samples("drop_me").size());
    assertEquals(List.of(1.0, 1.0), values(samples("scrape_samples_post_metric_relabeling")));
    assertEquals(List.of(2.0, 2.0), values(samples("scrape_samples_scraped")));
    assertEquals(List.of(1.0, 0.0), values(samples("scrape_series_added")));
  }

  @Test
  void seriesChangingLabelsIsStaleMarkedAndTheOldTextLeavesTheCache() {
    ScrapeLoop l = loop("");
    fetcher.body = "x{a=\"1\"} 1\ny 1\n";
    l.scrape();
    clock.millis += 15_000;
    fetcher.body = "x{a=\"2\"} 2\ny 2\n";
    l.scrape();
    List<double[]> a1 = samples("x", "a", "1");
    assertEquals(2, a1.size());
    assertTrue(StaleNaN.is(a1.get(1)[1]));
    assertEquals(List.of(2.0), values(samples("x", "a", "2")));
    assertEquals(List.of(2.0, 1.0), values(samples("scrape_series_added")));
    assertEquals(ScrapeCache.NONE, cachedEntry(l, "x{a=\"1\"}"), "texts missing from a successful scrape are evicted");
    assertEquals(2, l.cache().size());
    assertEquals(2, l.cache().seriesCount());
  }

  @Test
  void textsWithEqualFinalLabelsShareOneSeries() {
    ScrapeLoop l = loop("    metric_relabel_configs:\n      - regex: b\n        action: labeldrop\n");
    fetcher.body = "x{a=\"1\",b=\"1\"} 1\nx{b=\"2\",a=\"1\"} 2\n";
    l.scrape();
    assertEquals(List.of(1.0), values(samples("x", "a", "1")), "the first sample of a series wins");
    assertEquals(List.of(2.0), values(samples("scrape_samples_post_metric_relabeling")),
        "as in Prometheus, both samples count: its head, not the scrape, drops the second");
    assertEquals(List.of(2.0), values(samples("scrape_samples_scraped")));
    clock.millis += 15_000;
    fetcher.body = "x{b=\"3\",a=\"1\"} 3\n";
    l.scrape();
    assertEquals(List.of(1.0, 3.0), values(samples("x", "a", "1")), "no stale marker: the series is still there");
    assertEquals(List.of(2.0, 1.0), values(samples("scrape_series_added")),
        "as in Prometheus, every series text new to the cache counts");
    assertEquals(1, l.cache().size());
  }

  @Test
  void reloadedLoopStartsWithAnEmptyCacheAndAppliesItsOwnRelabeling() {
    ScrapeLoop old = loop("");
    fetcher.body = "x 1\ny 1\n";
    old.scrape();
    clock.millis += 15_000;
    ScrapeLoop reloaded = loop("    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: x\n        action: drop\n");
    reloaded.inheritState(old);
    assertEquals(0, reloaded.cache().size());
    fetcher.body = "x 2\ny 2\n";
    reloaded.scrape();
    List<double[]> x = samples("x");
    assertEquals(2, x.size());
    assertTrue(StaleNaN.is(x.get(1)[1]), "x is dropped by the new configuration, so it went stale");
    assertEquals(List.of(1.0, 2.0), values(samples("y")));
    assertEquals(List.of(2.0, 1.0), values(samples("scrape_series_added")),
        "y is new to the reloaded loop's cache, as in Prometheus when the relabeling changed");
    assertNull(reloaded.cache().series(cachedEntry(reloaded, "x")));
  }

  @Test
  void labelLimitsFailEveryScrapeOfACachedSeries() {
    ScrapeLoop l = loop("    label_limit: 5\n");
    fetcher.body = "ok 1\nx{a=\"1\",b=\"2\"} 1\n";
    l.scrape();
    assertEquals("label_limit exceeded (metric: x, number of labels: 6, limit: 5)", l.status().lastError());
    clock.millis += 15_000;
    l.scrape();
    assertEquals("label_limit exceeded (metric: x, number of labels: 6, limit: 5)", l.status().lastError());
    assertEquals(0, samples("ok").size());
    assertEquals(List.of(0.0, 0.0), values(samples("up")));
  }

  @Test
  void explicitTimestampSeriesGetNoStaleMarkers() {
    ScrapeLoop l = loop("");
    fetcher.body = "x 1 1600000000000\ny 1\n";
    l.scrape();
    clock.millis += 15_000;
    fetcher.body = "z 1\n";
    l.scrape();
    assertEquals(1, samples("x").size());
    List<double[]> y = samples("y");
    assertTrue(StaleNaN.is(y.get(y.size() - 1)[1]));
  }

  @Test
  void randomizedPagesMatchFreshLoopsAndStalenessOracle() {
    long seed = System.nanoTime();
    java.util.Random rnd = new java.util.Random(seed);
    String relabel = "    metric_relabel_configs:\n      - source_labels: [b]\n        regex: '1'\n        action: drop\n"
        + "      - regex: c\n        action: labeldrop\n";
    String[] values = {"1", "-2.5", "1e3", "0.1", "NaN", "+Inf", "123456789012345678", "3.14159265358979", "-0", "7."};
    ScrapeLoop cached = loop(relabel);
    InMemoryStorage shadow = new InMemoryStorage();
    java.util.Set<Labels> previous = java.util.Set.of();
    List<Long> times = new ArrayList<>();
    java.util.Map<Labels, java.util.Set<Long>> expectedStale = new java.util.HashMap<>();
    for (int round = 0; round < 40; round++) {
      StringBuilder page = new StringBuilder();
      int n = rnd.nextInt(12);
      for (int i = 0; i < n; i++) {
        page.append("m").append(rnd.nextInt(2)).append('{');
        List<String> pairs = new ArrayList<>(List.of("b=\"" + rnd.nextInt(3) + "\"", "a=\"" + rnd.nextInt(3) + "\"",
            "c=\"" + rnd.nextInt(2) + "\""));
        java.util.Collections.shuffle(pairs, rnd);
        page.append(String.join(",", pairs)).append("} ").append(values[rnd.nextInt(values.length)]).append('\n');
      }
      if (rnd.nextInt(10) == 0) {
        page.append("broken{ 1\n");
      }
      fetcher.body = page.toString();
      cached.scrape();
      ScrapeLoop fresh = loop(relabel, shadow);
      fresh.scrape();
      assertEquals(fresh.status().lastError(), cached.status().lastError(), "seed " + seed);
      java.util.Set<Labels> now = seriesAt(shadow, clock.millis);
      for (Labels gone : previous) {
        if (!now.contains(gone)) {
          expectedStale.computeIfAbsent(gone, k -> new java.util.HashSet<>()).add(clock.millis);
        }
      }
      previous = now;
      times.add(clock.millis);
      clock.millis += 15_000;
    }
    java.util.Map<Labels, List<double[]>> got = all(storage);
    java.util.Map<Labels, List<double[]>> want = all(shadow);
    for (Labels l : got.keySet()) {
      if (l.get("__name__").startsWith("m")) {
        java.util.Set<Long> stale = new java.util.HashSet<>();
        List<String> gotPlain = new ArrayList<>();
        for (double[] s : got.get(l)) {
          if (StaleNaN.is(s[1])) {
            stale.add((long) s[0]);
          } else {
            gotPlain.add((long) s[0] + " " + Double.doubleToRawLongBits(s[1]));
          }
        }
        List<String> wantPlain = new ArrayList<>();
        for (double[] s : want.getOrDefault(l, List.of())) {
          wantPlain.add((long) s[0] + " " + Double.doubleToRawLongBits(s[1]));
        }
        assertEquals(wantPlain, gotPlain, "seed " + seed + " series " + l);
        assertEquals(expectedStale.getOrDefault(l, java.util.Set.of()), stale, "seed " + seed + " series " + l);
      }
    }
  }

  private static java.util.Set<Labels> seriesAt(InMemoryStorage s, long t) {
    java.util.Set<Labels> out = new java.util.HashSet<>();
    all(s).forEach((l, samples) -> {
      if (l.get("__name__").startsWith("m") && samples.stream().anyMatch(x -> x[0] == t)) {
        out.add(l);
      }
    });
    return out;
  }

  private static java.util.Map<Labels, List<double[]>> all(InMemoryStorage s) {
    java.util.Map<Labels, List<double[]>> out = new java.util.HashMap<>();
    try (Querier q = s.querier(0, Long.MAX_VALUE)) {
      SeriesSet set = q.select(true, null, LabelMatcher.regex("__name__", ".+"));
      while (set.next()) {
        List<double[]> samples = new ArrayList<>();
        SampleIterator it = set.at().iterator(null);
        while (it.next() != ValueType.NONE) {
          samples.add(new double[] {it.atT(), it.atV()});
        }
        out.put(set.at().labels(), samples);
      }
    }
    return out;
  }

  /** Counts commits and fails the next one when asked. */
  static final class CountingStorage implements dev.kiln.tsdb.storage.Appendable {
    final InMemoryStorage inner;
    int commits;
    boolean failNext;
    final java.util.List<dev.kiln.tsdb.storage.Durability> durabilities = new java.util.ArrayList<>();

    CountingStorage(InMemoryStorage inner) {
      this.inner = inner;
    }

    @Override
    public dev.kiln.tsdb.storage.Appender appender() {
      dev.kiln.tsdb.storage.Appender a = inner.appender();
      return new dev.kiln.tsdb.storage.Appender() {
        @Override
        public long append(long ref, Labels labels, long t, double v, dev.kiln.tsdb.storage.AppendOptions o) {
          return a.append(ref, labels, t, v, o);
        }

        @Override
        public void commit(dev.kiln.tsdb.storage.Durability durability) {
          if (failNext) {
            failNext = false;
            a.rollback();
            throw new dev.kiln.tsdb.storage.StorageException("write-ahead log: disk full");
          }
          commits++;
          durabilities.add(durability);
          a.commit(durability);
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    }
  }

  @Test
  void scrapeCommitsAskOnlyToBeWrittenWhetherTheScrapeSucceedsOrFails() {
    CountingStorage counting = new CountingStorage(storage);
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n";
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    ScrapeLoop l = new ScrapeLoop("app", t, cfg, counting, fetcher, clock, "Kiln/test", false);
    fetcher.body = "x 1\n";
    l.scrape();
    clock.millis += 15_000;
    fetcher.body = "x{ 1\n"; // a parse error: the failed scrape's stale markers and report
    l.scrape();
    clock.millis += 15_000;
    l.markStale(clock.millis);
    assertEquals(List.of(dev.kiln.tsdb.storage.Durability.WRITTEN, dev.kiln.tsdb.storage.Durability.WRITTEN,
        dev.kiln.tsdb.storage.Durability.WRITTEN), counting.durabilities);
    assertEquals(TargetHealth.DOWN, l.status().health());
  }

  @Test
  void aScrapeIsOneTransactionAndAFailedCommitIsReportedAsAFailedScrape() {
    CountingStorage counting = new CountingStorage(storage);
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n";
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("h:1"), Map.of(), "s"))).get(0).target();
    ScrapeLoop l = new ScrapeLoop("app", t, cfg, counting, fetcher, clock, "Kiln/test", false);
    fetcher.body = "x 1\ny 1\n";
    l.scrape();
    assertEquals(1, counting.commits, "samples and synthetic series commit together");
    clock.millis += 15_000;
    fetcher.body = "x 2\n";
    counting.failNext = true;
    l.scrape();
    assertEquals("write-ahead log: disk full", l.status().lastError());
    assertEquals(TargetHealth.DOWN, l.status().health());
    assertEquals(List.of(1.0, 0.0), values(samples("up")));
    List<double[]> x = samples("x");
    assertEquals(2, x.size());
    assertTrue(StaleNaN.is(x.get(1)[1]), "the failed scrape stales what the last one stored");
    clock.millis += 15_000;
    l.scrape();
    assertEquals("", l.status().lastError());
    assertEquals(List.of(1.0, 0.0, 1.0), values(samples("up")));
    assertEquals(List.of(2.0, 0.0, 0.0), values(samples("scrape_series_added")),
        "x's text stayed in the cache through the failed scrape");
  }

  private static int cachedEntry(ScrapeLoop l, String seriesText) {
    byte[] b = seriesText.getBytes(StandardCharsets.UTF_8);
    return l.cache().get(b, 0, b.length);
  }

  private static List<Double> values(List<double[]> samples) {
    List<Double> out = new ArrayList<>();
    for (double[] s : samples) {
      out.add(s[1]);
    }
    return out;
  }
}
