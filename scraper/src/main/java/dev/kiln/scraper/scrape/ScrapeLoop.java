package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpAuthorization;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.scraper.parse.ExpositionException;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.NhcbSink;
import dev.kiln.scraper.parse.ProtobufParser;
import dev.kiln.scraper.parse.ProtobufSink;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Durability;
import dev.kiln.tsdb.storage.Metadata;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scrapes one target: fetch, parse into a {@link ScrapeBatch} (labels and relabeling by
 * {@link SeriesLabeler}, through the {@link ScrapeCache}), append through the
 * {@link ScrapeLimitAppender} as one transaction with the stale markers of {@link Staleness}, then
 * the synthetic series of {@link ScrapeReport}. A scrape that fails is rolled back whole; its
 * transaction then holds only stale markers for every series of the last scrape and the report
 * with {@code up} 0. Scrapes commit with {@link Durability#WRITTEN}: nobody is acknowledged for a
 * scrape, so its commit returns once the write-ahead log has it, without waiting for an fsync.
 * {@link #scrape()} is called by one thread at a time; {@link #status()} may be called from any
 * thread.
 */
public final class ScrapeLoop {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapeLoop.class);

  /** What Kiln sends in the Accept header by default (Prometheus 3's default negotiation list). */
  public static final String ACCEPT_HEADER = AcceptHeader.of(dev.kiln.config.NativeHistogramScrape.DEFAULT_PROTOCOLS);

  /** Samples stamped further ahead than this are out of bounds, as Prometheus's scrape {@code maxAheadTime}. */
  private static final long MAX_AHEAD_MILLIS = 10 * 60_000L;

  private final String pool;
  private final Target target;
  private final ScrapeConfig cfg;
  private final Appendable storage;
  private final HttpFetcher fetcher;
  private final HttpAuthorization auth;
  private final Clock clock;
  private final Map<String, String> headers;
  private final ProtobufParser.Options protobufOptions;
  private final HistogramLimits histogramLimits;
  /** Converts classic histograms to custom-bucket native ones on their way to the batch, or null. */
  private final NhcbSink nhcb;

  /** Owned by the scraping thread. */
  private final ScrapeCache cache = new ScrapeCache();
  private final ScrapeBatch batch;
  private final Staleness staleness = new Staleness();
  private final ScrapeReport report;
  /** Scrape counter, the generation stamped on what a scrape sees. */
  private int generation;
  /** Body buffer handed back to the fetcher on the next scrape. */
  private byte[] bodyBuffer;

  private volatile Map<String, Metadata> metadata = Map.of();
  private final ScrapeAppendErrors appendErrors;
  private volatile TargetHealth health = TargetHealth.UNKNOWN;
  private volatile String lastError = "";
  private volatile long lastScrapeMillis;
  private volatile double lastDurationSeconds;

  public ScrapeLoop(String pool, Target target, ScrapeConfig cfg, Appendable storage, HttpFetcher fetcher, Clock clock,
      String userAgent, boolean extraMetrics) {
    this(pool, target, cfg, storage, fetcher, cfg.http().newAuthorization(), clock, userAgent, extraMetrics);
  }

  /** A loop sending the {@code Authorization} header of {@code auth}, which its pool shares among its loops. */
  public ScrapeLoop(String pool, Target target, ScrapeConfig cfg, Appendable storage, HttpFetcher fetcher,
      HttpAuthorization auth, Clock clock, String userAgent, boolean extraMetrics) {
    this(pool, target, cfg, storage, fetcher, auth, clock, userAgent, extraMetrics, false);
  }

  /**
   * As above; {@code createdTimestampZero} is {@code --enable-feature=created-timestamp-zero-ingestion}:
   * a counter, summary or histogram sample with a created timestamp before its own timestamp is
   * preceded by a zero sample at the created timestamp.
   */
  public ScrapeLoop(String pool, Target target, ScrapeConfig cfg, Appendable storage, HttpFetcher fetcher,
      HttpAuthorization auth, Clock clock, String userAgent, boolean extraMetrics, boolean createdTimestampZero) {
    this(pool, target, cfg, storage, fetcher, auth, clock, userAgent, extraMetrics, createdTimestampZero, new ScrapeAppendErrors());
  }

  /** As above, adding the samples and exemplars the storage refuses to {@code appendErrors}, which loops share. */
  public ScrapeLoop(String pool, Target target, ScrapeConfig cfg, Appendable storage, HttpFetcher fetcher,
      HttpAuthorization auth, Clock clock, String userAgent, boolean extraMetrics, boolean createdTimestampZero,
      ScrapeAppendErrors appendErrors) {
    this.appendErrors = appendErrors;
    this.pool = pool;
    this.auth = auth;
    this.target = target;
    this.cfg = cfg;
    this.storage = storage;
    this.fetcher = fetcher;
    this.clock = clock;
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Accept", AcceptHeader.of(cfg.histograms().effectiveProtocols()));
    h.put("Accept-Encoding", cfg.enableCompression() ? "gzip" : "identity");
    h.put("User-Agent", userAgent);
    h.put("X-Prometheus-Scrape-Timeout-Seconds", seconds(cfg.scrapeTimeoutMillis()));
    this.headers = Map.copyOf(h);
    this.protobufOptions = new ProtobufParser.Options(cfg.histograms().nativeHistogramsEnabled(),
        cfg.histograms().alwaysScrapeClassicHistograms());
    this.histogramLimits = new HistogramLimits(cfg.histograms().bucketLimit(), cfg.histograms().minBucketFactor());
    this.batch = new ScrapeBatch(cache, new SeriesLabeler(target.labels(), cfg), cfg.honorTimestamps(),
        cfg.trackTimestampsStaleness(), createdTimestampZero);
    this.report = new ScrapeReport(target.labels(), cfg, extraMetrics);
    this.nhcb = cfg.histograms().convertClassicHistogramsToNhcb()
        ? new NhcbSink(batch, cfg.histograms().alwaysScrapeClassicHistograms()) : null;
  }

  public Target target() {
    return target;
  }

  /**
   * Continues where a loop of the same target under the previous configuration stopped: its
   * series (for staleness), synthetic series references, metadata and status.
   */
  void inheritState(ScrapeLoop old) {
    staleness.inherit(old.staleness.last(), cache);
    report.inherit(old.report);
    this.metadata = old.metadata;
    this.health = old.health;
    this.lastError = old.lastError;
    this.lastScrapeMillis = old.lastScrapeMillis;
    this.lastDurationSeconds = old.lastDurationSeconds;
  }

  /** The scrape cache, for tests. */
  ScrapeCache cache() {
    return cache;
  }

  /** Metadata from the last successful scrape, by metric family. */
  public Map<String, Metadata> metadata() {
    return metadata;
  }

  /** Runs one scrape now. Never throws for target problems; they end up in {@link #status()}. */
  public void scrape() {
    long start = clock.millis();
    long t0 = System.nanoTime();
    ScrapeCounts counts = new ScrapeCounts();
    int bodySize = 0;
    String error = null;
    // A page that fails to parse, or breaks the sample or bucket limit, still reports its counts, as Prometheus.
    boolean keepCounts = false;
    // One transaction per scrape: samples, stale markers and the synthetic series.
    Appender app = storage.appender();
    try {
      String authorization = auth.header();
      Map<String, String> requestHeaders = headers;
      if (authorization != null) {
        requestHeaders = new LinkedHashMap<>(headers);
        requestHeaders.put("Authorization", authorization);
      }
      HttpFetcher.Response resp = fetcher.fetch(target.url(), requestHeaders, cfg.http(), cfg.scrapeTimeoutMillis(),
          cfg.limits().bodySizeLimitBytes(), bodyBuffer);
      bodySize = resp.length();
      // Keep the buffer for the next scrape unless it is far larger than bodies have become.
      bodyBuffer = resp.body().length <= 4L * resp.length() + 65536 ? resp.body() : null;
      if (resp.status() != 200) {
        throw new ScrapeFailure("server returned HTTP status " + resp.status() + " " + reason(resp.status()));
      }
      boolean protobuf = ProtobufParser.isProtobuf(resp.contentType());
      ExpositionParser.Format format = protobuf ? null : ExpositionParser.formatFor(resp.contentType());
      if (format == null && !protobuf) {
        protobuf = "PrometheusProto".equals(cfg.fallbackScrapeProtocol());
        format = protobuf ? null : fallback();
        if (format == null && !protobuf) {
          throw new ScrapeFailure("received unsupported Content-Type \"" + resp.contentType()
              + "\" and no fallback_scrape_protocol specified for target");
        }
      }
      ingest(resp, format, start, counts, app);
    } catch (HttpFetcher.BodyTooLargeException e) {
      bodySize = -1;
      error = e.getMessage();
    } catch (IOException e) {
      error = e.getMessage();
    } catch (ScrapeFailure e) {
      error = e.getMessage();
      keepCounts = e.keepsCounts();
    } catch (ExpositionException e) {
      error = e.getMessage();
      keepCounts = true;
    } catch (RuntimeException e) {
      error = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("scrape of {} failed unexpectedly", target.url(), e);
    }
    try {
      if (error != null) {
        app.rollback();
        app = storage.appender();
        if (!keepCounts) {
          counts = new ScrapeCounts();
        }
        staleness.appendAll(app, start);
      }
      double duration = (System.nanoTime() - t0) / 1e9;
      report.append(app, start, error == null, duration, counts, bodySize);
      try {
        app.commit(Durability.WRITTEN);
      } catch (RuntimeException e) {
        if (error != null) {
          throw e;
        }
        // Nothing of the scrape was stored: report it as failed, as for any other failure.
        error = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warn("scrape of {} could not be stored", target.url(), e);
        app = storage.appender();
        counts = new ScrapeCounts();
        staleness.appendAll(app, start);
        report.append(app, start, false, duration, counts, bodySize);
        app.commit(Durability.WRITTEN);
      }
      if (error == null) {
        committed();
      } else {
        staleness.clear();
      }
      lastScrapeMillis = start;
      lastDurationSeconds = duration;
      lastError = error == null ? "" : error;
      health = error == null ? TargetHealth.UP : TargetHealth.DOWN;
    } finally {
      batch.clear();
    }
  }

  private ExpositionParser.Format fallback() {
    String f = cfg.fallbackScrapeProtocol();
    if (f == null) {
      return null;
    }
    return f.startsWith("OpenMetrics") ? ExpositionParser.Format.OPENMETRICS : ExpositionParser.Format.PROMETHEUS_TEXT;
  }

  /**
   * Parses the body into the batch and appends its samples, and stale markers for series of the
   * last scrape that are gone, through the scrape limits to {@code app} (not committed).
   *
   * @param format null for the protobuf exposition
   * @throws ScrapeFailure or {@link ExpositionException} when the scrape fails. As Prometheus, the
   *     first of a label limit breach or an invalid histogram and a parse error wins (the batch
   *     holds the lines before the parse error), then the sample limit, then the bucket limit
   */
  private void ingest(HttpFetcher.Response resp, ExpositionParser.Format format, long start, ScrapeCounts counts,
      Appender app) {
    int g = ++generation;
    ScrapeBatch b = batch;
    b.reset(g, start, format == ExpositionParser.Format.OPENMETRICS);
    ExpositionException parseError = null;
    try {
      ProtobufSink sink = b;
      if (nhcb != null) {
        nhcb.reset();
        sink = nhcb;
      }
      if (format == null) {
        ProtobufParser.parse(resp.body(), resp.length(), protobufOptions, sink);
      } else {
        ExpositionParser.parse(resp.body(), resp.length(), format, sink);
      }
      if (nhcb != null) {
        nhcb.finish();
      }
    } catch (ExpositionException e) {
      // As Prometheus, the samples read before the error are appended (for the report's counts)
      // and then rolled back with the whole scrape.
      parseError = e;
    }
    b.parsed();
    counts.scraped = b.scraped();
    Appender limited = new ScrapeLimitAppender(app, cfg.limits(), histogramLimits, start + MAX_AHEAD_MILLIS);
    try {
      b.appendTo(limited, app, counts);
    } catch (ScrapeFailure f) {
      if (parseError != null && f.keepsCounts()) {
        throw parseError;
      }
      throw f;
    } finally {
      appendErrors.add(counts);
      if (counts.exemplarOutOfOrder > 0) {
        LOG.warn("Error on ingesting out-of-order exemplars of {}: num_dropped={}", target.url(), counts.exemplarOutOfOrder);
      }
    }
    if (parseError != null) {
      throw parseError;
    }
    try {
      staleness.appendVanished(limited, start, g);
    } catch (ScrapeLimitException e) {
      throw new ScrapeFailure(e.getMessage(), e.limit() != ScrapeLimitException.Limit.LABEL);
    }
  }

  /** After a successful scrape's commit: remembers refs and this scrape's series; trims the cache. */
  private void committed() {
    ScrapeBatch b = batch;
    int n = b.size();
    staleness.replace(b.committed(), n);
    metadata = Map.copyOf(b.metadata());
    if (cache.size() != b.seenEntries() || cache.seriesCount() != n) {
      cache.retain(b.generation());
    }
  }

  /**
   * Marks everything this target wrote as stale at {@code t}: the series of its last scrape and
   * its synthetic series. Used when the target has gone away.
   */
  public void markStale(long t) {
    Appender app = storage.appender();
    staleness.appendAll(app, t);
    report.appendStale(app, t);
    app.commit(Durability.WRITTEN);
    staleness.clear();
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
}
