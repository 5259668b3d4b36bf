package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.Labels;

/**
 * One series of an instant-vector result over a {@link Grid}: its labels, whether its metric name
 * is to be dropped when evaluation ends (Prometheus's delayed name removal), and one value per
 * step ({@link Points#ABSENT} where the series has no point). The array is owned by this object;
 * operators may reuse it for their output when they own the input.
 */
final class StepSeries {
  Labels labels;
  boolean dropName;
  final double[] values;
  /**
   * Histogram points per step, or null when the series has none. Where {@code hists[i]} is set,
   * {@code values[i]} is absent. Histograms in here are never mutated; operators copy them.
   */
  FloatHistogram[] hists;

  StepSeries(Labels labels, boolean dropName, double[] values) {
    this.labels = labels;
    this.dropName = dropName;
    this.values = values;
  }

  StepSeries(Labels labels, boolean dropName, double[] values, FloatHistogram[] hists) {
    this(labels, dropName, values);
    this.hists = hists;
  }

  /** The histogram at step i, or null. */
  FloatHistogram hist(int i) {
    return hists == null ? null : hists[i];
  }

  /** Whether the series has a point (float or histogram) at step i. */
  boolean hasPoint(int i) {
    return Points.isPresent(values[i]) || (hists != null && hists[i] != null);
  }

  /** Sets a histogram point at step i (the float becomes absent). */
  void setHist(int i, FloatHistogram h) {
    if (hists == null) {
      if (h == null) {
        return;
      }
      hists = new FloatHistogram[values.length];
    }
    hists[i] = h;
    if (h != null) {
      values[i] = Points.ABSENT;
    }
  }

  /** Whether any step holds a histogram. */
  boolean hasHistograms() {
    if (hists == null) {
      return false;
    }
    for (FloatHistogram h : hists) {
      if (h != null) {
        return true;
      }
    }
    return false;
  }

  /** Removes all histogram points. */
  void dropHistograms() {
    hists = null;
  }

  int presentCount() {
    int n = 0;
    for (double v : values) {
      if (Points.isPresent(v)) {
        n++;
      }
    }
    if (hists != null) {
      for (FloatHistogram h : hists) {
        if (h != null) {
          n++;
        }
      }
    }
    return n;
  }

  boolean isEmpty() {
    for (double v : values) {
      if (Points.isPresent(v)) {
        return false;
      }
    }
    return !hasHistograms();
  }
}
