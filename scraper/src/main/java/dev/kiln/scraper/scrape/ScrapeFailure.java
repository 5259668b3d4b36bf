package dev.kiln.scraper.scrape;

/**
 * A scrape that failed for a reason of the target's (status, protocol, limits, labels). The
 * message becomes the target's last error.
 */
final class ScrapeFailure extends RuntimeException {
  private final boolean keepsCounts;

  ScrapeFailure(String message) {
    this(message, false);
  }

  /**
   * @param keepsCounts whether the report still gives the counts of the failed scrape (as
   *     Prometheus does after a sample or bucket limit breach) instead of zeros
   */
  ScrapeFailure(String message, boolean keepsCounts) {
    super(message, null, false, false);
    this.keepsCounts = keepsCounts;
  }

  boolean keepsCounts() {
    return keepsCounts;
  }
}
