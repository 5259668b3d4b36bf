package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpAuthorization;
import static dev.kiln.scraper.parse.ExpositionSink.NO_TIMESTAMP;

import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.relabel.Relabeler;
import dev.kiln.scraper.parse.ExpositionException;
import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.scraper.parse.ProtobufParser;
import dev.kiln.scraper.parse.ProtobufSink;
import dev.kiln.scraper.parse.SeriesCacheSink;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
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
 * synthetic series. Keeps what staleness needs (the series of the last scrape) and a
 * {@link ScrapeCache} from the series text of each exposition line to its final labels and
 * storage reference, so that a series seen before is neither parsed nor relabeled again.
 * {@link #scrape()} is called by one thread at a time; {@link #status()} may be called from any
 * thread.
 */
public final class ScrapeLoop {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapeLoop.class);

  /** What Kiln sends in the Accept header by default (Prometheus 3's default negotiation list). */
  public static final String ACCEPT_HEADER = AcceptHeader.of(dev.kiln.config.NativeHistogramScrape.DEFAULT_PROTOCOLS);

  private final String pool;
  private final Target target;
  private final ScrapeConfig cfg;
  private final Appendable storage;
  private final HttpFetcher fetcher;
  private final HttpAuthorization auth;
  private final Clock clock;
  private final String userAgent;
  private final boolean extraMetrics;
  private final Map<String, String> headers;
  private final ProtobufParser.Options protobufOptions;
  private final HistogramLimits histogramLimits;

  private static final ScrapeCache.Series[] NO_SERIES = new ScrapeCache.Series[0];
  /** Samples stamped further ahead than this are out of bounds, as Prometheus's scrape {@code maxAheadTime}. */
  private static final long MAX_AHEAD_MILLIS = 10 * 60_000L;

  /** Owned by the scraping thread. */
  private final ScrapeCache cache = new ScrapeCache();
  /** Scrape counter, the generation stamped on what a scrape sees. */
  private int generation;
  /** Series of the last successful scrape that take part in staleness; replaced, never changed. */
  private volatile ScrapeCache.Series[] lastSeries = NO_SERIES;
  /** Body buffer handed back to the fetcher on the next scrape. */
  private byte[] bodyBuffer;
  private final Batch batch = new Batch();
  private final String[] reportNames;
  private final Labels[] reportLabels;
  private final Map<String, Long> reportRefs = new java.util.concurrent.ConcurrentHashMap<>();

  private volatile Map<String, Metadata> metadata = Map.of();
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
    this.pool = pool;
    this.auth = auth;
    this.target = target;
    this.cfg = cfg;
    this.storage = storage;
    this.fetcher = fetcher;
    this.clock = clock;
    this.userAgent = userAgent;
    this.extraMetrics = extraMetrics;
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Accept", AcceptHeader.of(cfg.histograms().effectiveProtocols()));
    h.put("Accept-Encoding", cfg.enableCompression() ? "gzip" : "identity");
    h.put("User-Agent", userAgent);
    h.put("X-Prometheus-Scrape-Timeout-Seconds", seconds(cfg.scrapeTimeoutMillis()));
    this.headers = Map.copyOf(h);
    this.protobufOptions = new ProtobufParser.Options(cfg.histograms().nativeHistogramsEnabled(),
        cfg.histograms().alwaysScrapeClassicHistograms());
    this.histogramLimits = new HistogramLimits(cfg.histograms().bucketLimit(), cfg.histograms().minBucketFactor());
    List<String> names = new ArrayList<>(List.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling", "scrape_series_added"));
    if (extraMetrics) {
      names.addAll(List.of("scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes"));
    }
    this.reportNames = names.toArray(new String[0]);
    this.reportLabels = new Labels[reportNames.length];
    for (int i = 0; i < reportNames.length; i++) {
      reportLabels[i] = target.labels().toBuilder().set(Labels.METRIC_NAME, reportNames[i]).build();
    }
  }

  public Target target() {
    return target;
  }

  /**
   * Continues where a loop of the same target under the previous configuration stopped: its
   * series (for staleness), synthetic series references, metadata and status.
   */
  void inheritState(ScrapeLoop old) {
    ScrapeCache.Series[] prev = old.lastSeries;
    ScrapeCache.Series[] mine = new ScrapeCache.Series[prev.length];
    for (int i = 0; i < prev.length; i++) {
      ScrapeCache.Series s = cache.series(prev[i].labels, this::labelLimitError);
      s.ref = prev[i].ref;
      s.inLast = true;
      mine[i] = s;
    }
    this.lastSeries = mine;
    this.reportRefs.putAll(old.reportRefs);
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
    ScrapeOutcome out = new ScrapeOutcome();
    int bodySize = 0;
    String error = null;
    // A page that fails to parse still reports the samples read before the error, as Prometheus.
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
      ingest(resp, format, start, out, app);
    } catch (HttpFetcher.BodyTooLargeException e) {
      bodySize = -1;
      error = e.getMessage();
    } catch (IOException | ScrapeFailure e) {
      error = e.getMessage();
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
          out = new ScrapeOutcome();
        }
        appendStaleMarkers(app, start);
      }
      double duration = (System.nanoTime() - t0) / 1e9;
      appendReport(app, start, error == null, duration, out, bodySize);
      try {
        app.commit();
      } catch (RuntimeException e) {
        if (error != null) {
          throw e;
        }
        // Nothing of the scrape was stored: report it as failed, as for any other failure.
        error = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warn("scrape of {} could not be stored", target.url(), e);
        app = storage.appender();
        out = new ScrapeOutcome();
        appendStaleMarkers(app, start);
        appendReport(app, start, false, duration, out, bodySize);
        app.commit();
      }
      if (error == null) {
        committed();
      } else {
        staleMarkersCommitted();
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

  private static final class ScrapeOutcome {
    int scraped;
    int postRelabel;
    int added;
  }

  /**
   * One scrape's samples, in exposition order, one per distinct series (later duplicates are
   * ignored). Reused from scrape to scrape; owned by the scraping thread.
   */
  private final class Batch implements ProtobufSink {
    int generation;
    long defaultTs;
    int scraped;
    int n;
    /** Samples of series already in this scrape: appended by Prometheus too, dropped at its commit. */
    int duplicates;
    /** Of those, samples whose series text was new to the cache. */
    int newTextDuplicates;
    /** Whether the series text of the line being read was new to the cache. */
    boolean textIsNew;
    boolean[] newText = new boolean[256];
    /** Distinct series texts seen by this scrape. */
    int seenEntries;
    String labelLimitError;
    ScrapeCache.Series[] series = new ScrapeCache.Series[256];
    long[] ts = new long[256];
    double[] values = new double[256];
    long[] refs = new long[256];
    Map<String, Metadata> meta;
    /** Native-histogram samples by slot (null for float samples); allocated on the first one. */
    Histogram[] histograms;
    FloatHistogram[] floatHistograms;
    boolean anyHistogram;
    /** The entry of the previous sample line. */
    int previous = ScrapeCache.NONE;

    void reset(int generation, long defaultTs) {
      previous = ScrapeCache.NONE;
      this.generation = generation;
      this.defaultTs = defaultTs;
      scraped = 0;
      n = 0;
      duplicates = 0;
      newTextDuplicates = 0;
      seenEntries = 0;
      labelLimitError = null;
      meta = new HashMap<>();
    }

    /** Drops the references to this scrape's series. */
    void clear() {
      java.util.Arrays.fill(series, 0, n, null);
      if (anyHistogram) {
        java.util.Arrays.fill(histograms, 0, Math.min(n, histograms.length), null);
        java.util.Arrays.fill(floatHistograms, 0, Math.min(n, floatHistograms.length), null);
        anyHistogram = false;
      }
      n = 0;
      previous = ScrapeCache.NONE;
    }

    @Override
    public int cached(byte[] buf, int start, int end) {
      // Pages list their series in the same order each time: try the text that came next last time.
      int guess = previous == ScrapeCache.NONE ? cache.first() : cache.next(previous);
      int e = guess != ScrapeCache.NONE && cache.matches(guess, buf, start, end) ? guess : cache.get(buf, start, end);
      if (e != ScrapeCache.NONE) {
        seen(e);
        textIsNew = false;
      }
      return e;
    }

    @Override
    public int newSeries(byte[] buf, int start, int end, ParsedSeries parsed) {
      Labels labels = finalLabels(parsed.labels());
      ScrapeCache.Series s = labels == null ? null : cache.series(labels, ScrapeLoop.this::labelLimitError);
      int e = cache.put(buf, start, end, s);
      seen(e);
      textIsNew = true;
      return e;
    }

    /** Stamps the entry and links it after the previous line's. */
    private void seen(int e) {
      if (cache.seen(e) != generation) {
        cache.setSeen(e, generation);
        seenEntries++;
      }
      if (previous == ScrapeCache.NONE) {
        cache.setFirst(e);
      } else if (cache.next(previous) != e) {
        cache.setNext(previous, e);
      }
      previous = e;
    }

    /** Ends the chain of this page's texts. */
    void parsed() {
      if (previous != ScrapeCache.NONE) {
        cache.setNext(previous, ScrapeCache.NONE);
      } else {
        cache.setFirst(ScrapeCache.NONE);
      }
    }

    @Override
    public void histogram(int entry, Histogram h, FloatHistogram fh, long t) {
      int before = n;
      sample(entry, 0, t);
      if (n == before) {
        return;
      }
      if (histograms == null || histograms.length < ts.length) {
        histograms = histograms == null ? new Histogram[ts.length] : java.util.Arrays.copyOf(histograms, ts.length);
        floatHistograms = floatHistograms == null ? new FloatHistogram[ts.length]
            : java.util.Arrays.copyOf(floatHistograms, ts.length);
      }
      histograms[before] = h;
      floatHistograms[before] = fh;
      anyHistogram = true;
    }

    @Override
    public void sample(int entry, double value, long t) {
      scraped++;
      ScrapeCache.Series s = cache.series(entry);
      if (s == null) {
        return;
      }
      if (s.seenIn == generation) {
        duplicates++;
        if (textIsNew) {
          newTextDuplicates++;
        }
        return;
      }
      s.seenIn = generation;
      boolean explicit = t != NO_TIMESTAMP && cfg.honorTimestamps();
      s.tracked = !explicit || cfg.trackTimestampsStaleness();
      if (s.limitError != null && labelLimitError == null) {
        labelLimitError = s.limitError;
      }
      int i = n;
      if (i == ts.length) {
        int cap = i * 2;
        series = java.util.Arrays.copyOf(series, cap);
        ts = java.util.Arrays.copyOf(ts, cap);
        values = java.util.Arrays.copyOf(values, cap);
        refs = java.util.Arrays.copyOf(refs, cap);
        newText = java.util.Arrays.copyOf(newText, cap);
      }
      newText[i] = textIsNew;
      series[i] = s;
      ts[i] = explicit ? t : defaultTs;
      values[i] = value;
      n = i + 1;
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
      meta.put(family, new Metadata(type, help, unit));
    }
  }

  /**
   * Parses the body into the batch and appends its samples, and stale markers for series of the
   * last scrape that are gone, to {@code app} (not committed).
   */
  private void ingest(HttpFetcher.Response resp, ExpositionParser.Format format, long start, ScrapeOutcome out,
      Appender app) {
    // format == null: the protobuf exposition.
    int g = ++generation;
    Batch b = batch;
    b.reset(g, start);
    ExpositionException parseError = null;
    try {
      if (format == null) {
        ProtobufParser.parse(resp.body(), resp.length(), protobufOptions, b);
      } else {
        ExpositionParser.parse(resp.body(), resp.length(), format, b);
      }
    } catch (ExpositionException e) {
      // As Prometheus, the samples read before the error are appended (for the report's counts)
      // and then rolled back with the whole scrape.
      parseError = e;
    }
    b.parsed();
    out.scraped = b.scraped;
    int n = b.n;
    long sampleLimit = cfg.limits().sampleLimit();
    if (sampleLimit > 0 && n > sampleLimit) {
      throw new ScrapeFailure("sample limit exceeded");
    }
    if (b.labelLimitError != null) {
      throw new ScrapeFailure(b.labelLimitError);
    }
    ScrapeCache.Series[] series = b.series;
    long[] refs = b.refs;
    long maxTime = start + MAX_AHEAD_MILLIS;
    int seriesAdded = 0;
    boolean bucketLimitExceeded = false;
    String histogramError = null;
    for (int i = 0; i < n; i++) {
      ScrapeCache.Series s = series[i];
      try {
        if (b.ts[i] > maxTime) {
          throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "timestamp " + b.ts[i] + " is more than 10 minutes ahead");
        }
        if (b.anyHistogram && i < b.histograms.length && (b.histograms[i] != null || b.floatHistograms[i] != null)) {
          if (!histogramLimits.apply(b.histograms[i], b.floatHistograms[i])) {
            bucketLimitExceeded = true;
            refs[i] = 0;
            continue;
          }
          try {
            refs[i] = app.appendHistogram(s.ref, s.labels, b.ts[i], b.histograms[i], b.floatHistograms[i],
                dev.kiln.tsdb.storage.AppendOptions.NONE);
          } catch (AppendException ex) {
            // As Prometheus's checkAddError: only out-of-order, duplicate, out-of-bounds and too-old
            // samples are skipped; any other append error (an invalid histogram) fails the scrape.
            if (ex.reason() == AppendException.Reason.INVALID_HISTOGRAM || ex.reason() == AppendException.Reason.UNSUPPORTED) {
              if (histogramError == null) {
                histogramError = ex.getMessage();
              }
              refs[i] = 0;
              continue;
            }
            throw ex;
          }
        } else {
          refs[i] = app.append(s.ref, s.labels, b.ts[i], b.values[i]);
        }
        if (b.newText[i]) {
          seriesAdded++;
        }
      } catch (AppendException ex) {
        refs[i] = 0;
        LOG.debug("sample of {} rejected: {}", target.url(), ex.getMessage());
      }
    }
    // As Prometheus: every sample left after relabeling counts, rejected or not, in-page
    // duplicates too (its head drops them at commit).
    out.postRelabel = n + b.duplicates;
    out.added = seriesAdded + b.newTextDuplicates;
    if (parseError != null) {
      throw parseError;
    }
    if (histogramError != null) {
      throw new ScrapeFailure(histogramError);
    }
    if (bucketLimitExceeded) {
      throw new ScrapeFailure("histogram bucket limit exceeded");
    }
    for (ScrapeCache.Series p : lastSeries) {
      if (p.seenIn != g) {
        try {
          app.append(p.ref, p.labels, start, StaleNaN.VALUE);
        } catch (AppendException ex) {
          LOG.debug("stale marker for {} rejected: {}", p.labels, ex.getMessage());
        }
      }
    }
  }

  /** After a successful scrape's commit: remembers refs and this scrape's series; trims the cache. */
  private void committed() {
    Batch b = batch;
    int n = b.n;
    ScrapeCache.Series[] series = b.series;
    long[] refs = b.refs;
    int tracked = 0;
    for (int i = 0; i < n; i++) {
      ScrapeCache.Series s = series[i];
      if (refs[i] != 0) {
        s.ref = refs[i];
      }
      if (s.tracked) {
        tracked++;
      }
    }
    for (ScrapeCache.Series p : lastSeries) {
      p.inLast = false;
    }
    ScrapeCache.Series[] next = tracked == 0 ? NO_SERIES : new ScrapeCache.Series[tracked];
    for (int i = 0, j = 0; i < n; i++) {
      ScrapeCache.Series s = series[i];
      if (s.tracked) {
        s.inLast = true;
        next[j++] = s;
      }
    }
    lastSeries = next;
    metadata = Map.copyOf(b.meta);
    if (cache.size() != b.seenEntries || cache.seriesCount() != n) {
      cache.retain(b.generation);
    }
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

  /** Why {@code l} breaks a label limit of this loop's configuration, or null when it does not. */
  private String labelLimitError(Labels l) {
    var limits = cfg.limits();
    if (limits.labelLimit() > 0 && l.size() > limits.labelLimit()) {
      return "label_limit exceeded (metric: " + l.metricName() + ", number of labels: " + l.size()
          + ", limit: " + limits.labelLimit() + ")";
    }
    for (int i = 0; i < l.size(); i++) {
      if (limits.labelNameLengthLimit() > 0 && l.name(i).length() > limits.labelNameLengthLimit()) {
        return "label_name_length_limit exceeded (metric: " + l.metricName() + ", label name: "
            + l.name(i) + ", length: " + l.name(i).length() + ", limit: " + limits.labelNameLengthLimit() + ")";
      }
      if (limits.labelValueLengthLimit() > 0 && l.value(i).length() > limits.labelValueLengthLimit()) {
        return "label_value_length_limit exceeded (metric: " + l.metricName() + ", label name: "
            + l.name(i) + ", value: \"" + l.value(i) + "\", length: " + l.value(i).length() + ", limit: "
            + limits.labelValueLengthLimit() + ")";
      }
    }
    return null;
  }

  /** Appends stale markers for every series of the last scrape, at {@code t}. */
  private void appendStaleMarkers(Appender app, long t) {
    for (ScrapeCache.Series p : lastSeries) {
      try {
        app.append(p.ref, p.labels, t, StaleNaN.VALUE);
      } catch (AppendException ex) {
        LOG.debug("stale marker rejected: {}", ex.getMessage());
      }
    }
  }

  /** After stale markers for every series of the last scrape were committed. */
  private void staleMarkersCommitted() {
    for (ScrapeCache.Series p : lastSeries) {
      p.inLast = false;
    }
    lastSeries = NO_SERIES;
  }

  /**
   * Marks everything this target wrote as stale at {@code t}: the series of its last scrape and
   * its synthetic series. Used when the target has gone away.
   */
  public void markStale(long t) {
    Appender app = storage.appender();
    appendStaleMarkers(app, t);
    for (int i = 0; i < reportNames.length; i++) {
      try {
        app.append(reportRefs.getOrDefault(reportNames[i], 0L), reportLabels[i], t, StaleNaN.VALUE);
      } catch (AppendException e) {
        LOG.debug("stale marker rejected: {}", e.getMessage());
      }
    }
    app.commit();
    staleMarkersCommitted();
  }

  private void appendReport(Appender app, long t, boolean up, double duration, ScrapeOutcome out, int bodySize) {
    reportSample(app, 0, t, up ? 1 : 0);
    reportSample(app, 1, t, duration);
    reportSample(app, 2, t, out.scraped);
    reportSample(app, 3, t, out.postRelabel);
    reportSample(app, 4, t, out.added);
    if (extraMetrics) {
      reportSample(app, 5, t, cfg.scrapeTimeoutMillis() / 1000.0);
      reportSample(app, 6, t, cfg.limits().sampleLimit());
      reportSample(app, 7, t, up ? bodySize : (bodySize == -1 ? -1 : 0));
    }
  }

  private void reportSample(Appender app, int i, long t, double v) {
    String name = reportNames[i];
    try {
      long ref = app.append(reportRefs.getOrDefault(name, 0L), reportLabels[i], t, v);
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
