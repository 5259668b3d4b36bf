package dev.kiln.scraper.scrape;

import dev.kiln.tsdb.model.Labels;
import java.net.URI;

/**
 * A scrape target after relabeling.
 *
 * @param discoveredLabels labels before relabeling (incl. {@code __meta_*})
 * @param allLabels labels after relabeling, including {@code __} labels that steer the scrape
 * @param labels the target labels attached to scraped series (no {@code __} labels)
 * @param url the scrape URL
 */
public record Target(Labels discoveredLabels, Labels allLabels, Labels labels, URI url) {
  /** Identity of a target within its pool: same labels and URL are scraped once. */
  public String key() {
    return allLabels.toString() + " " + url;
  }
}
