package dev.kiln.config;

import dev.kiln.tsdb.model.Labels;

/** The {@code global} section, with Prometheus's defaults. Durations in milliseconds. */
public record GlobalConfig(
    long scrapeIntervalMillis,
    long scrapeTimeoutMillis,
    long evaluationIntervalMillis,
    long ruleQueryOffsetMillis,
    Labels externalLabels,
    ScrapeLimits limits,
    boolean extraScrapeMetrics,
    NativeHistogramScrape histograms) {

  /** All defaults: 1m scrape interval, 10s timeout, 1m evaluation interval. */
  public static final GlobalConfig DEFAULT =
      new GlobalConfig(60_000, 10_000, 60_000, 0, Labels.EMPTY, ScrapeLimits.NONE, false, NativeHistogramScrape.UNSET);

  static GlobalConfig parse(YamlNode n) {
    if (n.absent()) {
      return DEFAULT;
    }
    long interval = n.duration("scrape_interval", 60_000);
    boolean timeoutSet = !n.get("scrape_timeout").absent();
    long timeout = n.duration("scrape_timeout", Math.min(10_000, interval));
    if (timeoutSet && timeout > interval) {
      throw n.error("global scrape timeout greater than scrape interval");
    }
    if (interval <= 0) {
      throw n.error("scrape_interval must be greater than 0");
    }
    long eval = n.duration("evaluation_interval", 60_000);
    long offset = n.duration("rule_query_offset", 0);
    Labels.Builder ext = Labels.builder();
    n.stringMap("external_labels").forEach((k, v) -> ext.set(k, EnvExpander.expand(v)));
    ScrapeLimits limits = ScrapeLimits.parse(n, ScrapeLimits.NONE);
    boolean extra = n.bool("extra_scrape_metrics", false);
    n.get("query_log_file");
    n.get("scrape_failure_log_file");
    NativeHistogramScrape histograms = NativeHistogramScrape.parseGlobal(n);
    String scheme = n.string("metric_name_validation_scheme", "utf8");
    if (!scheme.equals("utf8") && !scheme.equals("legacy")) {
      throw n.error("unknown metric_name_validation_scheme \"" + scheme + "\"");
    }
    n.rejectUnknownKeys("global");
    return new GlobalConfig(interval, timeout, eval, offset, ext.build(), limits, extra, histograms);
  }
}
