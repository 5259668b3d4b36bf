package dev.kiln.benchmarks.scrape;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.scrape.HttpFetcher;
import dev.kiln.scraper.scrape.ScrapeLoop;
import dev.kiln.scraper.scrape.Target;
import dev.kiln.scraper.scrape.TargetBuilder;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The scrape-append path without the network: one {@link ScrapeLoop} scrapes a 2,000-counter page
 * (the side-by-side exporter's page, values changing every scrape) from an in-memory fetcher into
 * a {@link Db} with its write-ahead log on. Each invocation is one whole scrape: parse,
 * scrape cache, relabeling of new series, append, staleness bookkeeping, commit (WAL) and the
 * synthetic series. Score: ns per sample; run with {@code -prof gc} for bytes per sample
 * ({@code gc.alloc.rate.norm} / 2,000). The database lives on /dev/shm when available (fsync is then
 * cheap and steady; the score is CPU, not disk latency). Scrapes are 100 ms apart in storage time, not 5 s: at
 * hundreds of scrapes per second, 5 s steps would make the head compact and re-create its series
 * every few seconds, which a real scraper never sees.
 * Machine: 2 shared cores, JDK 17.0.15.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScrapeAppendBenchmark {
  static final int SERIES = 2000;
  static final int PAGES = 8;

  private Path dir;
  private Db db;
  private ScrapeLoop loop;
  private final PageFetcher fetcher = new PageFetcher();
  private final StepClock clock = new StepClock();

  /** Serves pre-rendered pages in turn; each differs from the last in every value. */
  static final class PageFetcher implements HttpFetcher {
    final byte[][] pages = new byte[PAGES][];
    int next;

    @Override
    public Response fetch(URI url, Map<String, String> headers, HttpClientConfig client, long timeoutMillis, long limit) {
      byte[] b = pages[next];
      next = (next + 1) % PAGES;
      return new Response(200, "text/plain; version=0.0.4", b, b.length);
    }
  }

  /** A clock the benchmark moves by hand. */
  static final class StepClock extends Clock {
    long millis = 1_700_000_000_000L;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
      return millis;
    }
  }

  /** The side-by-side exporter's page (benchmarks/side-by-side/targets.py) with values from {@code base}. */
  static byte[] page(long base) {
    StringBuilder sb = new StringBuilder("# HELP app_requests_total Requests.\n# TYPE app_requests_total counter\n");
    for (int i = 0; i < SERIES; i++) {
      sb.append("app_requests_total{handler=\"/h").append(i / 5).append("\",code=\"").append(200 + i % 5)
          .append("\",method=\"GET\"} ").append(base + i).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Setup(Level.Trial)
  public void setup() throws IOException {
    for (int p = 0; p < PAGES; p++) {
      fetcher.pages[p] = page(1_700_000_000L + p * 7L);
    }
    // On tmpfs when there is one: the WAL is written and fsynced as always, but the score measures
    // CPU, not the disk's fsync latency, which on shared machines varies by orders of magnitude.
    Path shm = Path.of("/dev/shm");
    dir = Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "kiln-scrape-bench")
        : Files.createTempDirectory("kiln-scrape-bench");
    db = Db.open(dir, DbOptions.builder().build());
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 5s\n";
    ScrapeConfig cfg = ConfigLoader.parse("bench.yml", yaml, Path.of("/")).scrapeConfig("app");
    Target t = TargetBuilder.build(cfg, List.of(new TargetGroup(List.of("127.0.0.1:9100"), Map.of(), "bench")))
        .get(0).target();
    loop = new ScrapeLoop("app", t, cfg, db, fetcher, clock, "Kiln/bench", false);
    loop.scrape(); // creates the series
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** One scrape of the 2,000-series page. */
  @Benchmark
  @OperationsPerInvocation(SERIES)
  public String scrape() {
    clock.millis += 100;
    loop.scrape();
    String err = loop.status().lastError();
    if (!err.isEmpty()) {
      throw new IllegalStateException(err);
    }
    return err;
  }
}
