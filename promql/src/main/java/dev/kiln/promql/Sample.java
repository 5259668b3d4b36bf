package dev.kiln.promql;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.Labels;

/**
 * One element of an instant vector: a series' labels with one sample, a float or (when {@code
 * histogram} is not null) a native histogram, in which case {@code value} is meaningless.
 */
public record Sample(Labels labels, long timestampMillis, double value, FloatHistogram histogram) {
  /** A float sample. */
  public Sample(Labels labels, long timestampMillis, double value) {
    this(labels, timestampMillis, value, null);
  }

  /** A histogram sample. */
  public Sample(Labels labels, long timestampMillis, FloatHistogram histogram) {
    this(labels, timestampMillis, 0, histogram);
  }

  public boolean isHistogram() {
    return histogram != null;
  }
}
