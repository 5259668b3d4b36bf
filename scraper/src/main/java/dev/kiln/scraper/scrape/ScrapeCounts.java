package dev.kiln.scraper.scrape;

/** What one scrape reports in its synthetic series. Owned by the scraping thread. */
final class ScrapeCounts {
  /** {@code scrape_samples_scraped}: samples on the page. */
  int scraped;
  /** {@code scrape_samples_post_metric_relabeling}: samples left after relabeling. */
  int postRelabel;
  /** {@code scrape_series_added}: series texts new to the scrape cache. */
  int added;
}
