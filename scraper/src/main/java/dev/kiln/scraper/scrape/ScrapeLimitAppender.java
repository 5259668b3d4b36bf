package dev.kiln.scraper.scrape;

import dev.kiln.config.ScrapeLimits;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.GoStrings;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;

/**
 * The scrape limits of one scrape, as a decorator of the scrape's {@link Appender}: Prometheus's
 * {@code appenderWithLimits} ({@code maxSchemaAppender}, {@code bucketLimitAppender},
 * {@code limitAppender}, {@code timeLimitAppender}) together with its label limits
 * ({@code verifyLabelLimits}). Checks run outermost first:
 *
 * <ol>
 *   <li>label limits ({@code label_limit}, {@code label_name_length_limit},
 *       {@code label_value_length_limit}; lengths in UTF-8 bytes): a breach throws a
 *       {@link ScrapeLimitException} of kind {@code LABEL}. As in Prometheus, where only new series
 *       are checked, a stale marker of a known series ({@code ref} not 0) is not;
 *   <li>native histograms: resolution reduced to {@code native_histogram_min_bucket_factor}, then
 *       until {@code native_histogram_bucket_limit} is met, else {@link ScrapeLimitException#BUCKET_LIMIT};
 *   <li>{@code sample_limit}: every sample counts except a stale marker for a known series
 *       ({@code ref} not 0); the first past the limit and every one after it throw
 *       {@link ScrapeLimitException#SAMPLE_LIMIT}. So a histogram refused for its buckets does not
 *       count, and a sample refused for its time does;
 *   <li>time: a sample stamped after {@code maxTimeMillis} throws an {@link AppendException} with
 *       reason {@code OUT_OF_BOUNDS}, which skips that sample only.
 * </ol>
 *
 * A refused sample is not passed on. Single-use and single-thread like the appender it wraps; the
 * scrape's synthetic series bypass it (they are appended to the wrapped appender).
 */
final class ScrapeLimitAppender implements Appender {
  private final Appender delegate;
  private final long sampleLimit;
  private final long labelLimit;
  private final long labelNameLengthLimit;
  private final long labelValueLengthLimit;
  private final HistogramLimits histogramLimits;
  private final long maxTimeMillis;
  /** Whether any label or sample limit is set; without one, only histograms and time are checked. */
  private final boolean checksSamples;
  private long counted;

  /**
   * @param limits the sample and label limits (0: none)
   * @param histogramLimits bucket limit and minimum bucket factor
   * @param maxTimeMillis the latest timestamp accepted (Prometheus: scrape start + 10 minutes)
   */
  ScrapeLimitAppender(Appender delegate, ScrapeLimits limits, HistogramLimits histogramLimits, long maxTimeMillis) {
    this.delegate = delegate;
    this.sampleLimit = limits.sampleLimit();
    this.labelLimit = limits.labelLimit();
    this.labelNameLengthLimit = limits.labelNameLengthLimit();
    this.labelValueLengthLimit = limits.labelValueLengthLimit();
    this.histogramLimits = histogramLimits;
    this.maxTimeMillis = maxTimeMillis;
    this.checksSamples = sampleLimit > 0 || labelLimit > 0 || labelNameLengthLimit > 0 || labelValueLengthLimit > 0;
  }

  @Override
  public long append(long ref, Labels labels, long timestampMillis, double value, AppendOptions options) {
    if (checksSamples && (ref == 0 || !StaleNaN.is(value))) {
      checkLabels(labels);
      if (sampleLimit > 0) {
        count();
      }
    }
    checkTime(timestampMillis);
    return delegate.append(ref, labels, timestampMillis, value, options);
  }

  @Override
  public long appendHistogram(
      long ref, Labels labels, long timestampMillis, Histogram h, FloatHistogram fh, AppendOptions options) {
    boolean knownStale = ref != 0 && StaleNaN.is(h != null ? h.sum : fh.sum);
    if (!knownStale) {
      checkLabels(labels);
    }
    if (!histogramLimits.apply(h, fh)) {
      throw ScrapeLimitException.BUCKET_LIMIT;
    }
    if (sampleLimit > 0 && !knownStale) {
      count();
    }
    checkTime(timestampMillis);
    return delegate.appendHistogram(ref, labels, timestampMillis, h, fh, options);
  }

  /** Exemplars pass through: Prometheus's limit appenders do not count them. */
  @Override
  public long appendExemplar(long ref, Labels labels, dev.kiln.tsdb.storage.Exemplar exemplar) {
    return delegate.appendExemplar(ref, labels, exemplar);
  }

  @Override
  public void commit(dev.kiln.tsdb.storage.Durability durability) {
    delegate.commit(durability);
  }

  @Override
  public void rollback() {
    delegate.rollback();
  }

  private void count() {
    if (++counted > sampleLimit) {
      throw ScrapeLimitException.SAMPLE_LIMIT;
    }
  }

  private void checkTime(long t) {
    if (t > maxTimeMillis) {
      throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS, "timestamp " + t + " is more than 10 minutes ahead");
    }
  }

  private void checkLabels(Labels l) {
    if (l == null) {
      return;
    }
    if (labelLimit > 0 && l.size() > labelLimit) {
      throw new ScrapeLimitException(ScrapeLimitException.Limit.LABEL, "label_limit exceeded (metric: "
          + prefix(l.metricName()) + ", number of labels: " + l.size() + ", limit: " + labelLimit + ")");
    }
    if (labelNameLengthLimit <= 0 && labelValueLengthLimit <= 0) {
      return;
    }
    for (int i = 0; i < l.size(); i++) {
      String name = l.name(i);
      if (labelNameLengthLimit > 0) {
        int length = utf8Length(name);
        if (length > labelNameLengthLimit) {
          throw new ScrapeLimitException(ScrapeLimitException.Limit.LABEL, "label_name_length_limit exceeded (metric: "
              + prefix(l.metricName()) + ", label name: " + prefix(name) + ", length: " + length + ", limit: "
              + labelNameLengthLimit + ")");
        }
      }
      if (labelValueLengthLimit > 0) {
        String value = l.value(i);
        int length = utf8Length(value);
        if (length > labelValueLengthLimit) {
          throw new ScrapeLimitException(ScrapeLimitException.Limit.LABEL, "label_value_length_limit exceeded (metric: "
              + prefix(l.metricName()) + ", label name: " + prefix(name) + ", value: " + GoStrings.quote(prefix(value))
              + ", length: " + length + ", limit: " + labelValueLengthLimit + ")");
        }
      }
    }
  }

  /** Go's {@code %.50s}: at most the first 50 code points. */
  static String prefix(String s) {
    if (s == null) {
      return "";
    }
    if (s.length() <= 50) {
      return s;
    }
    int cps = s.codePointCount(0, s.length());
    return cps <= 50 ? s : s.substring(0, s.offsetByCodePoints(0, 50));
  }

  /**
   * Length in UTF-8 bytes (Go's {@code len} of a string), without encoding. A byte that was not
   * valid UTF-8, carried as U+DC80..U+DCFF, is one byte.
   */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80 || (c >= 0xDC80 && c <= 0xDCFF)) {
        continue;
      }
      if (c < 0x800) {
        bytes += 1;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 2;
        i++;
      } else {
        bytes += 2;
      }
    }
    return bytes;
  }
}
