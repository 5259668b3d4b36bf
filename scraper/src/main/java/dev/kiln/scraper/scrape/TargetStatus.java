package dev.kiln.scraper.scrape;

import dev.kiln.tsdb.model.Labels;

/**
 * A point-in-time view of one active target for {@code /api/v1/targets}.
 *
 * @param lastScrapeMillis start of the last scrape (epoch ms), 0 if never scraped
 * @param lastScrapeDurationMillis wall time of the last scrape
 */
public record TargetStatus(
    String scrapePool,
    Labels discoveredLabels,
    Labels labels,
    String scrapeUrl,
    TargetHealth health,
    String lastError,
    long lastScrapeMillis,
    double lastScrapeDurationSeconds,
    long scrapeIntervalMillis,
    long scrapeTimeoutMillis) {}
