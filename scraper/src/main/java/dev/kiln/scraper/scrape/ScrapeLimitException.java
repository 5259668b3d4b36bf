package dev.kiln.scraper.scrape;

/**
 * A sample refused by a scrape limit (see {@link ScrapeLimitAppender}). Whatever the limit, the
 * scrape the sample belongs to fails as a whole: it is rolled back and reported with {@code up} 0
 * and this message as the target's last error. Messages are Prometheus's.
 *
 * <p>The sample-limit and bucket-limit exceptions are shared constants without a stack trace, as
 * Prometheus's {@code errSampleLimit} and {@code errBucketLimit}: a page far over its limit refuses
 * every further sample, and that must not cost an allocation each.
 */
final class ScrapeLimitException extends RuntimeException {
  /** Which limit refused the sample. */
  enum Limit {
    /** {@code sample_limit}: the scrape goes on (to count what it would have stored), then fails. */
    SAMPLE,
    /** {@code native_histogram_bucket_limit}: as SAMPLE; a sample-limit breach takes precedence. */
    BUCKET,
    /** {@code label_limit}, {@code label_name_length_limit}, {@code label_value_length_limit}: the scrape stops. */
    LABEL
  }

  static final ScrapeLimitException SAMPLE_LIMIT = new ScrapeLimitException(Limit.SAMPLE, "sample limit exceeded");
  static final ScrapeLimitException BUCKET_LIMIT =
      new ScrapeLimitException(Limit.BUCKET, "histogram bucket limit exceeded");

  private final Limit limit;

  ScrapeLimitException(Limit limit, String message) {
    super(message, null, false, false);
    this.limit = limit;
  }

  Limit limit() {
    return limit;
  }
}
