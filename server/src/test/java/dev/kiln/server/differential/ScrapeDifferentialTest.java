package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus 2.42 and Kiln scrape the same corpus pages from the same fake exporters
 * with the same configuration; then what each stored is compared: series, label names and
 * values, the values of every sample (timestamps too where the page gives them), the synthetic
 * series, staleness once series and targets vanish, and the health of every target.
 */
class ScrapeDifferentialTest {
  @TempDir static Path dir;
  private static ExporterStub exporters;
  private static ServerProcess prometheus;
  private static ServerProcess kiln;
  private static ApiClient prom;
  private static ApiClient kil;
  private static long t0;

  @BeforeAll
  static void start() throws Exception {
    t0 = System.currentTimeMillis() / 1000 * 1000;
    exporters = new ExporterStub();
    StringBuilder cfg = new StringBuilder("global: {scrape_interval: 1s, scrape_timeout: 900ms}\nscrape_configs:\n");
    for (String page : Corpus.PAGES) {
      exporters.serve("/" + page, new ExporterStub.Page(Corpus.page(page, t0), Corpus.contentType(page)));
      cfg.append("  - job_name: ").append(Corpus.job(page)).append("\n    metrics_path: /").append(page)
          .append("\n    static_configs: [{targets: ['").append(exporters.address()).append("']}]\n");
    }
    cfg.append("  - job_name: diff-missing\n    metrics_path: /missing\n    static_configs: [{targets: ['")
        .append(exporters.address()).append("']}]\n");
    Path config = dir.resolve("scrape.yml");
    Files.writeString(config, cfg);
    prometheus = ServerProcess.prometheus(config, Files.createDirectories(dir.resolve("prom-data")));
    kiln = ServerProcess.kiln(config, Files.createDirectories(dir.resolve("kiln-data")));
    prom = new ApiClient(prometheus);
    kil = new ApiClient(kiln);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {prometheus, kiln, exporters}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  /** Waits until both servers have scraped every page at least {@code n} more times. */
  private static void awaitScrapes(Map<String, Integer> before, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (String page : Corpus.PAGES) {
        for (String scraper : List.of("Prometheus", "Kiln")) {
          if (exporters.scrapes(scraper, "/" + page) < before.getOrDefault(scraper + page, 0) + n) {
            all = false;
          }
        }
      }
      if (all) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the servers did not scrape every page " + n + " times");
  }

  private static Map<String, Integer> scrapeCounts() {
    Map<String, Integer> m = new TreeMap<>();
    for (String page : Corpus.PAGES) {
      for (String scraper : List.of("Prometheus", "Kiln")) {
        m.put(scraper + page, exporters.scrapes(scraper, "/" + page));
      }
    }
    return m;
  }

  /** Each series' value now, as an instant query answers it: label set → value. */
  private static Map<String, String> instant(ApiClient api, String query, long timeSeconds) throws Exception {
    ApiClient.Answer a = api.post("/api/v1/query", Map.of("query", query, "time", timeSeconds));
    assertEquals(200, a.status(), api.server() + ": " + a.raw());
    Map<String, String> out = new TreeMap<>();
    for (JsonNode s : a.data().path("result")) {
      out.put(s.path("metric").toString(), s.path("value").get(1).asText());
    }
    return out;
  }

  @Test
  void scrapedCorpusIsStoredAsPrometheusStoresIt() throws Exception {
    awaitScrapes(Map.of(), 3);
    long end = System.currentTimeMillis() / 1000;
    long start = t0 / 1000 - 4 * 3600;
    // Every series with the set of values it took; timings excluded, as they differ per scraper.
    String values = "{job=~\"diff-.+\",__name__!~\"scrape_duration_seconds|ts_explicit\"}";
    StoredData p = StoredData.read(prom, values, start, end, StoredData.Samples.DISTINCT_VALUES);
    StoredData k = StoredData.read(kil, values, start, end, StoredData.Samples.DISTINCT_VALUES);
    List<String> diffs = new ArrayList<>(p.differences(k));
    // Samples with their own timestamps are stored exactly as given.
    String explicit = "{__name__=\"ts_explicit\"}";
    StoredData pe = StoredData.read(prom, explicit, start, end + 3600, StoredData.Samples.EXACT);
    StoredData ke = StoredData.read(kil, explicit, start, end + 3600, StoredData.Samples.EXACT);
    diffs.addAll(pe.differences(ke));
    // Every target's health, and the timing series exist for each target on both.
    diffs.addAll(compare("up", instant(prom, "up{job=~\"diff-.+\"}", end), instant(kil, "up{job=~\"diff-.+\"}", end)));
    diffs.addAll(compare("timings", instant(prom, "count by (job) (scrape_duration_seconds{job=~\"diff-.+\"})", end),
        instant(kil, "count by (job) (scrape_duration_seconds{job=~\"diff-.+\"})", end)));
    for (ApiClient api : List.of(prom, kil)) {
      for (JsonNode t : api.get("/api/v1/targets").data().path("activeTargets")) {
        if (!t.path("lastError").asText().isEmpty()) {
          System.out.println(api.server() + " " + t.path("labels").path("job").asText() + ": " + t.path("lastError").asText());
        }
      }
    }
    System.out.println("scrape corpus: " + Corpus.PAGES.size() + " pages, Prometheus stored " + p.series().size() + " series, Kiln "
        + k.series().size());
    diffs.forEach(System.out::println);
    assertEquals(List.of(), KnownDifferences.load("scrape").unexplained(diffs));
    assertTrue(p.series().size() > 600, "the corpus was scraped at all: " + p.series().size());

    // Series vanish from two pages and one target goes away: both mark them stale.
    Map<String, Integer> before = scrapeCounts();
    exporters.serve("/cadvisor.prom", new ExporterStub.Page(Corpus.page("cadvisor.prom", t0).lines()
        .filter(l -> !l.contains("nginx-burner")).reduce("", (a, b) -> a + b + "\n"), Corpus.contentType("cadvisor.prom")));
    exporters.serve("/kube_state_metrics.prom", new ExporterStub.Page("", Corpus.contentType("kube_state_metrics.prom")));
    awaitScrapes(before, 2);
    long now = System.currentTimeMillis() / 1000;
    String live = "{job=~\"diff-.+\",__name__!~\"scrape_duration_seconds|scrape_series_added|ts_explicit\"}";
    List<String> staleDiffs = compare("live after vanishing", instant(prom, live, now), instant(kil, live, now));
    staleDiffs.forEach(System.out::println);
    assertEquals(List.of(), KnownDifferences.load("scrape-staleness").unexplained(staleDiffs));
    assertTrue(instant(kil, "kube_pod_status_phase", now).isEmpty(), "the emptied page's series are stale");
  }

  private static List<String> compare(String what, Map<String, String> p, Map<String, String> k) {
    List<String> out = new ArrayList<>();
    for (String key : p.keySet()) {
      if (!k.containsKey(key)) {
        out.add(what + ": only Prometheus has " + key + " " + p.get(key));
      } else if (!p.get(key).equals(k.get(key))) {
        out.add(what + ": " + key + " Prometheus " + p.get(key) + " vs Kiln " + k.get(key));
      }
    }
    for (String key : k.keySet()) {
      if (!p.containsKey(key)) {
        out.add(what + ": only Kiln has " + key + " " + k.get(key));
      }
    }
    return out;
  }
}
