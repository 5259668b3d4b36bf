package dev.kiln.scraper.scrape;

/** What one scrape reports in its synthetic series. Owned by the scraping thread. */
final class ScrapeCounts {
  /** {@code scrape_samples_scraped}: samples on the page. */
  int scraped;
  /** {@code scrape_samples_post_metric_relabeling}: samples left after relabeling. */
  int postRelabel;
  /** {@code scrape_series_added}: series texts new to the scrape cache. */
  int added;
  /** Samples the storage refused as out of order. */
  int sampleOutOfOrder;
  /** Samples the storage refused as another value at a stored timestamp. */
  int sampleDuplicate;
  /** Samples the storage or the time limit refused as out of bounds. */
  int sampleOutOfBounds;
  /** Exemplars the storage refused as out of order. */
  int exemplarOutOfOrder;
}
