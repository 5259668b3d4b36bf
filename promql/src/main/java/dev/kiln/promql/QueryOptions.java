package dev.kiln.promql;

/**
 * Per-query settings.
 *
 * @param lookbackDeltaMillis lookback for this query, or 0 for the engine default
 * @param scrapeIntervalMillis the scrape interval assumed for Grafana's {@code $__rate_interval}
 *     substitution, or 0 for the default (15 s)
 */
public record QueryOptions(long lookbackDeltaMillis, long scrapeIntervalMillis) {
  public static final QueryOptions DEFAULTS = new QueryOptions(0, 0);
}
