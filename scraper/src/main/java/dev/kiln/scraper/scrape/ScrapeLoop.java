package dev.kiln.scraper.scrape;

import dev.kiln.scraper.config.ScrapeConfig;
import dev.kiln.scraper.parse.ExpositionException;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.scraper.relabel.Relabeler;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Metadata;
import dev.kiln.tsdb.storage.MetricType;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scrapes one target: fetch, parse, label, relabel, limit, append as one transaction, then the
 * synthetic series. Keeps what staleness needs (the series of the last scrape) and a cache from
 * the series as written to its final labels and storage reference. {@link #scrape()} is called
 * by one thread at a time; {@link #status()} may be called from any thread.
 */
public final class ScrapeLoop {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapeLoop.class);

  /** What Kiln sends in the Accept header (Prometheus 3's default negotiation list). */
  public static final String ACCEPT_HEADER =
      "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
          + "application/openmetrics-text;version=0.0.1;q=0.5,"
          + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
          + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

  private final String pool;
  private final Target target;
  private final ScrapeConfig cfg;
  private final Appendable storage;
  private final HttpFetcher fetcher;
  private final Clock clock;
  private final String userAgent;
  private final boolean extraMetrics;
  private final Map<String, String> headers;

  private volatile Map<String, CacheEntry> cache = new HashMap<>();
  private volatile Map<Labels, Long> lastSeries = new HashMap<>();
  private final Map<String, Long> reportRefs = new java.util.concurrent.ConcurrentHashMap<>();

  private volatile Map<String, Metadata> metadata = Map.of();
  private volatile TargetHealth health = TargetHealth.UNKNOWN;
  private volatile String lastError = "";
  private volatile long lastScrapeMillis;
  private volatile double lastDurationSeconds;

  /** Final labels (null when metric relabeling drops the series) and the storage reference (0 until known). */
  private static final class CacheEntry {
    final Labels labels;
    long ref;

    CacheEntry(Labels labels) {
      this.labels = labels;
    }
  }

  public ScrapeLoop(String pool, Target target, ScrapeConfig cfg, Appendable storage, HttpFetcher fetcher, Clock clock,
      String userAgent, boolean extraMetrics) {
    this.pool = pool;
    this.target = target;
    this.cfg = cfg;
    this.storage = storage;
    this.fetcher = fetcher;
    this.clock = clock;
    this.userAgent = userAgent;
    this.extraMetrics = extraMetrics;
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Accept", ACCEPT_HEADER);
    h.put("Accept-Encoding", cfg.enableCompression() ? "gzip" : "identity");
    h.put("User-Agent", userAgent);
    h.put("X-Prometheus-Scrape-Timeout-Seconds", seconds(cfg.scrapeTimeoutMillis()));
    this.headers = Map.copyOf(h);
  }

  public Target target() {
    return target;
  }

  /**
   * Continues where a loop of the same target under the previous configuration stopped: its
   * series (for staleness), synthetic series references, metadata and status.
   */
  void inheritState(ScrapeLoop old) {
    this.lastSeries = new HashMap<>(old.lastSeries);
    this.reportRefs.putAll(old.reportRefs);
    this.metadata = old.metadata;
    this.health = old.health;
    this.lastError = old.lastError;
    this.lastScrapeMillis = old.lastScrapeMillis;
    this.lastDurationSeconds = old.lastDurationSeconds;
  }

  /** Metadata from the last successful scrape, by metric family. */
  public Map<String, Metadata> metadata() {
    return metadata;
  }

  /** Runs one scrape now. Never throws for target problems; they end up in {@link #status()}. */
  public void scrape() {
    long start = clock.millis();
    long t0 = System.nanoTime();
    ScrapeOutcome out = new ScrapeOutcome();
    int bodySize = 0;
    String error = null;
    try {
      HttpFetcher.Response resp =
          fetcher.fetch(target.url(), headers, cfg.http(), cfg.scrapeTimeoutMillis(), cfg.limits().bodySizeLimitBytes());
      bodySize = resp.length();
      if (resp.status() != 200) {
        throw new ScrapeFailure("server returned HTTP status " + resp.status() + " " + reason(resp.status()));
      }
      ExpositionParser.Format format = ExpositionParser.formatFor(resp.contentType());
      if (format == null) {
        format = fallback();
        if (format == null) {
          throw new ScrapeFailure("received unsupported Content-Type \"" + resp.contentType()
              + "\" and no fallback_scrape_protocol specified for target");
        }
      }
      ingest(resp, format, start, out);
    } catch (HttpFetcher.BodyTooLargeException e) {
      bodySize = -1;
      error = e.getMessage();
    } catch (IOException | ScrapeFailure e) {
      error = e.getMessage();
    } catch (ExpositionException e) {
      error = e.getMessage();
    } catch (RuntimeException e) {
      error = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("scrape of {} failed unexpectedly", target.url(), e);
    }
    if (error != null) {
      out = new ScrapeOutcome();
      staleAll(start);
    }
    double duration = (System.nanoTime() - t0) / 1e9;
    report(start, error == null, duration, out, bodySize);
    lastScrapeMillis = start;
    lastDurationSeconds = duration;
    lastError = error == null ? "" : error;
    health = error == null ? TargetHealth.UP : TargetHealth.DOWN;
  }

  private ExpositionParser.Format fallback() {
    String f = cfg.fallbackScrapeProtocol();
    if (f == null) {
      return null;
    }
    return f.startsWith("OpenMetrics") ? ExpositionParser.Format.OPENMETRICS : ExpositionParser.Format.PROMETHEUS_TEXT;
  }

  private static final class ScrapeOutcome {
    int scraped;
    int postRelabel;
    int added;
  }

  private final class Batch implements ExpositionSink {
    final long defaultTs;
    final Map<String, CacheEntry> nextCache;
    /** Series of this scrape; the value is null for samples with explicit timestamps (no staleness). */
    final Map<Labels, CacheEntry> current;
    final List<CacheEntry> entries;
    long[] ts = new long[256];
    double[] values = new double[256];
    final Map<String, Metadata> meta = new HashMap<>();
    int scraped;

    Batch(long defaultTs, int expected) {
      this.defaultTs = defaultTs;
      int capacity = Math.max(16, expected * 4 / 3 + 1);
      this.nextCache = new HashMap<>(capacity);
      this.current = new HashMap<>(capacity);
      this.entries = new ArrayList<>(expected);
    }

    @Override
    public void sample(String raw, ParsedSeries series, double value, long t) {
      scraped++;
      CacheEntry e = nextCache.get(raw);
      if (e == null) {
        e = cache.get(raw);
        if (e == null) {
          e = new CacheEntry(finalLabels(series.labels()));
        }
        nextCache.put(raw, e);
      }
      if (e.labels == null || current.containsKey(e.labels)) {
        return;
      }
      boolean explicit = t != NO_TIMESTAMP && cfg.honorTimestamps();
      current.put(e.labels, !explicit || cfg.trackTimestampsStaleness() ? e : null);
      int i = entries.size();
      if (i == ts.length) {
        ts = java.util.Arrays.copyOf(ts, i * 2);
        values = java.util.Arrays.copyOf(values, i * 2);
      }
      entries.add(e);
      ts[i] = explicit ? t : defaultTs;
      values[i] = value;
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
      meta.put(family, new Metadata(type, help, unit));
    }
  }

  private void ingest(HttpFetcher.Response resp, ExpositionParser.Format format, long start, ScrapeOutcome out) {
    Batch batch = new Batch(start, cache.size());
    ExpositionParser.parse(resp.body(), resp.length(), format, batch);
    out.scraped = batch.scraped;
    int n = batch.entries.size();
    out.postRelabel = n;
    long sampleLimit = cfg.limits().sampleLimit();
    if (sampleLimit > 0 && n > sampleLimit) {
      throw new ScrapeFailure("sample limit exceeded");
    }
    for (CacheEntry e : batch.entries) {
      checkLabelLimits(e.labels);
    }
    Appender app = storage.appender();
    boolean ok = false;
    long[] refs = new long[n];
    try {
      for (int i = 0; i < n; i++) {
        CacheEntry e = batch.entries.get(i);
        try {
          refs[i] = app.append(e.ref, e.labels, batch.ts[i], batch.values[i]);
        } catch (AppendException ex) {
          LOG.debug("sample of {} rejected: {}", target.url(), ex.getMessage());
        }
      }
      for (Map.Entry<Labels, Long> prev : lastSeries.entrySet()) {
        if (!batch.current.containsKey(prev.getKey())) {
          try {
            app.append(prev.getValue(), prev.getKey(), start, StaleNaN.VALUE);
          } catch (AppendException ex) {
            LOG.debug("stale marker for {} rejected: {}", prev.getKey(), ex.getMessage());
          }
        }
      }
      app.commit();
      ok = true;
    } finally {
      if (!ok) {
        app.rollback();
      }
    }
    for (int i = 0; i < n; i++) {
      if (refs[i] != 0) {
        batch.entries.get(i).ref = refs[i];
      }
    }
    Map<Labels, Long> next = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
    int added = 0;
    for (Map.Entry<Labels, CacheEntry> c : batch.current.entrySet()) {
      if (!lastSeries.containsKey(c.getKey())) {
        added++;
      }
      if (c.getValue() != null) {
        next.put(c.getKey(), c.getValue().ref);
      }
    }
    out.added = added;
    cache = batch.nextCache;
    lastSeries = next;
    metadata = Map.copyOf(batch.meta);
  }

  private Labels finalLabels(Labels scraped) {
    Labels merged = mergeTargetLabels(scraped);
    Labels relabeled = Relabeler.process(merged, cfg.metricRelabelConfigs());
    if (relabeled == null) {
      return null;
    }
    if (relabeled.get(Labels.METRIC_NAME) == null) {
      throw new ScrapeFailure("missing metric name (__name__ label)");
    }
    return relabeled;
  }

  private Labels mergeTargetLabels(Labels scraped) {
    Labels t = target.labels();
    Labels.Builder b = scraped.toBuilder();
    if (cfg.honorLabels()) {
      for (int i = 0; i < t.size(); i++) {
        if (scraped.get(t.name(i)) == null) {
          b.set(t.name(i), t.value(i));
        }
      }
      return b.build();
    }
    List<String> conflicts = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      if (scraped.get(t.name(i)) != null) {
        conflicts.add(t.name(i));
      }
    }
    conflicts.sort((a, c) -> a.length() != c.length() ? Integer.compare(a.length(), c.length()) : a.compareTo(c));
    for (String name : conflicts) {
      String value = b.get(name);
      String exported = "exported_" + name;
      while (b.get(exported) != null) {
        exported = "exported_" + exported;
      }
      b.set(exported, value);
    }
    for (int i = 0; i < t.size(); i++) {
      b.set(t.name(i), t.value(i));
    }
    return b.build();
  }

  private void checkLabelLimits(Labels l) {
    var limits = cfg.limits();
    if (limits.labelLimit() > 0 && l.size() > limits.labelLimit()) {
      throw new ScrapeFailure("label_limit exceeded (metric: " + l.metricName() + ", number of labels: " + l.size()
          + ", limit: " + limits.labelLimit() + ")");
    }
    for (int i = 0; i < l.size(); i++) {
      if (limits.labelNameLengthLimit() > 0 && l.name(i).length() > limits.labelNameLengthLimit()) {
        throw new ScrapeFailure("label_name_length_limit exceeded (metric: " + l.metricName() + ", label name: "
            + l.name(i) + ", length: " + l.name(i).length() + ", limit: " + limits.labelNameLengthLimit() + ")");
      }
      if (limits.labelValueLengthLimit() > 0 && l.value(i).length() > limits.labelValueLengthLimit()) {
        throw new ScrapeFailure("label_value_length_limit exceeded (metric: " + l.metricName() + ", label name: "
            + l.name(i) + ", value: \"" + l.value(i) + "\", length: " + l.value(i).length() + ", limit: "
            + limits.labelValueLengthLimit() + ")");
      }
    }
  }

  /** Writes stale markers for every series of the last scrape, at {@code t}. */
  private void staleAll(long t) {
    if (lastSeries.isEmpty()) {
      return;
    }
    Appender app = storage.appender();
    for (Map.Entry<Labels, Long> e : lastSeries.entrySet()) {
      try {
        app.append(e.getValue(), e.getKey(), t, StaleNaN.VALUE);
      } catch (AppendException ex) {
        LOG.debug("stale marker rejected: {}", ex.getMessage());
      }
    }
    app.commit();
    lastSeries = new HashMap<>();
  }

  /**
   * Marks everything this target wrote as stale at {@code t}: the series of its last scrape and
   * its synthetic series. Used when the target has gone away.
   */
  public void markStale(long t) {
    staleAll(t);
    Appender app = storage.appender();
    for (String name : reportNames()) {
      try {
        app.append(reportRefs.getOrDefault(name, 0L), reportLabels(name), t, StaleNaN.VALUE);
      } catch (AppendException e) {
        LOG.debug("stale marker rejected: {}", e.getMessage());
      }
    }
    app.commit();
  }

  private List<String> reportNames() {
    List<String> names = new ArrayList<>(List.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling", "scrape_series_added"));
    if (extraMetrics) {
      names.addAll(List.of("scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes"));
    }
    return names;
  }

  private Labels reportLabels(String name) {
    return target.labels().toBuilder().set(Labels.METRIC_NAME, name).build();
  }

  private void report(long t, boolean up, double duration, ScrapeOutcome out, int bodySize) {
    Appender app = storage.appender();
    reportSample(app, "up", t, up ? 1 : 0);
    reportSample(app, "scrape_duration_seconds", t, duration);
    reportSample(app, "scrape_samples_scraped", t, out.scraped);
    reportSample(app, "scrape_samples_post_metric_relabeling", t, out.postRelabel);
    reportSample(app, "scrape_series_added", t, out.added);
    if (extraMetrics) {
      reportSample(app, "scrape_timeout_seconds", t, cfg.scrapeTimeoutMillis() / 1000.0);
      reportSample(app, "scrape_sample_limit", t, cfg.limits().sampleLimit());
      reportSample(app, "scrape_body_size_bytes", t, up ? bodySize : (bodySize == -1 ? -1 : 0));
    }
    app.commit();
  }

  private void reportSample(Appender app, String name, long t, double v) {
    try {
      long ref = app.append(reportRefs.getOrDefault(name, 0L), reportLabels(name), t, v);
      reportRefs.put(name, ref);
    } catch (AppendException e) {
      LOG.debug("report sample {} rejected: {}", name, e.getMessage());
    }
  }

  /** The target's current status. */
  public TargetStatus status() {
    return new TargetStatus(pool, target.discoveredLabels(), target.labels(), target.url().toString(), health, lastError,
        lastScrapeMillis, lastDurationSeconds, cfg.scrapeIntervalMillis(), cfg.scrapeTimeoutMillis());
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
  }

  private static String reason(int status) {
    return switch (status) {
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }

  /** A scrape that failed for a reason of the target's (limits, protocol). */
  private static final class ScrapeFailure extends RuntimeException {
    ScrapeFailure(String message) {
      super(message);
    }
  }
}
