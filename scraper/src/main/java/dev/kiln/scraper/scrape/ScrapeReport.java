package dev.kiln.scraper.scrape;

import dev.kiln.config.ScrapeConfig;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The synthetic series of one target, written after every scrape: {@code up},
 * {@code scrape_duration_seconds}, {@code scrape_samples_scraped},
 * {@code scrape_samples_post_metric_relabeling}, {@code scrape_series_added} and, with
 * {@code extra-scrape-metrics}, {@code scrape_timeout_seconds}, {@code scrape_sample_limit} and
 * {@code scrape_body_size_bytes}. They carry the target's labels and bypass the scrape limits.
 * Appended by the scraping thread (or the thread marking a gone target stale, never both at once).
 */
final class ScrapeReport {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapeReport.class);

  private final ScrapeConfig cfg;
  private final boolean extraMetrics;
  private final String[] names;
  private final Labels[] labels;
  private final Map<String, Long> refs = new ConcurrentHashMap<>();

  ScrapeReport(Labels targetLabels, ScrapeConfig cfg, boolean extraMetrics) {
    this.cfg = cfg;
    this.extraMetrics = extraMetrics;
    List<String> n = new ArrayList<>(List.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling", "scrape_series_added"));
    if (extraMetrics) {
      n.addAll(List.of("scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes"));
    }
    this.names = n.toArray(new String[0]);
    this.labels = new Labels[names.length];
    for (int i = 0; i < names.length; i++) {
      labels[i] = targetLabels.toBuilder().set(Labels.METRIC_NAME, names[i]).build();
    }
  }

  /** Continues with the storage references of another loop's synthetic series (a reload). */
  void inherit(ScrapeReport old) {
    refs.putAll(old.refs);
  }

  /**
   * Appends one scrape's report at {@code t}.
   *
   * @param bodySize bytes read, or -1 when the body size limit was exceeded
   */
  void append(Appender app, long t, boolean up, double durationSeconds, ScrapeCounts counts, int bodySize) {
    sample(app, 0, t, up ? 1 : 0);
    sample(app, 1, t, durationSeconds);
    sample(app, 2, t, counts.scraped);
    sample(app, 3, t, counts.postRelabel);
    sample(app, 4, t, counts.added);
    if (extraMetrics) {
      sample(app, 5, t, cfg.scrapeTimeoutMillis() / 1000.0);
      sample(app, 6, t, cfg.limits().sampleLimit());
      sample(app, 7, t, up ? bodySize : (bodySize == -1 ? -1 : 0));
    }
  }

  /** Appends a stale marker at {@code t} for every synthetic series. */
  void appendStale(Appender app, long t) {
    for (int i = 0; i < names.length; i++) {
      try {
        app.append(refs.getOrDefault(names[i], 0L), labels[i], t, StaleNaN.VALUE);
      } catch (AppendException e) {
        LOG.debug("stale marker rejected: {}", e.getMessage());
      }
    }
  }

  private void sample(Appender app, int i, long t, double v) {
    String name = names[i];
    try {
      long ref = app.append(refs.getOrDefault(name, 0L), labels[i], t, v);
      refs.put(name, ref);
    } catch (AppendException e) {
      LOG.debug("report sample {} rejected: {}", name, e.getMessage());
    }
  }
}
