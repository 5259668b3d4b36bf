package dev.kiln.promql;

import dev.kiln.tsdb.model.Labels;

/**
 * One series of a range result: labels and points in increasing time order, stored in primitive
 * arrays. Only the first {@code count} entries of the arrays are valid; the arrays are owned by
 * this object and must not be modified.
 */
public record RangeSeries(Labels labels, long[] timestamps, double[] values, int count) {
  public long timestampAt(int i) {
    return timestamps[i];
  }

  public double valueAt(int i) {
    return values[i];
  }
}
