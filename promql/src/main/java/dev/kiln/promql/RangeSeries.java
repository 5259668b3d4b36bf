package dev.kiln.promql;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.Labels;

/**
 * One series of a range result: labels and points in increasing time order, stored in primitive
 * arrays. Only the first {@code count} entries of the arrays are valid; the arrays are owned by
 * this object and must not be modified. Histogram points are kept apart from float points, in
 * their own time-ordered arrays ({@code histogramCount} valid entries), as Prometheus's
 * {@code Series} keeps {@code Floats} and {@code Histograms}.
 */
public record RangeSeries(
    Labels labels, long[] timestamps, double[] values, int count,
    long[] histogramTimestamps, FloatHistogram[] histograms, int histogramCount) {
  private static final long[] NO_TIMES = new long[0];
  private static final FloatHistogram[] NO_HISTOGRAMS = new FloatHistogram[0];

  /** A series of float points only. */
  public RangeSeries(Labels labels, long[] timestamps, double[] values, int count) {
    this(labels, timestamps, values, count, NO_TIMES, NO_HISTOGRAMS, 0);
  }

  public long histogramTimestampAt(int i) {
    return histogramTimestamps[i];
  }

  public FloatHistogram histogramAt(int i) {
    return histograms[i];
  }

  public long timestampAt(int i) {
    return timestamps[i];
  }

  public double valueAt(int i) {
    return values[i];
  }
}
