package dev.kiln.scraper.scrape;

import dev.kiln.tsdb.model.Labels;

/** A discovered target that relabeling dropped, with its discovered labels. */
public record DroppedTarget(String scrapePool, Labels discoveredLabels) {}
