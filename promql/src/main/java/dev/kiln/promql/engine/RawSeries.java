package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.Labels;

/**
 * One series of a range vector: labels plus samples in increasing time order in primitive arrays
 * ({@code count} valid entries), stale markers removed. Used for subquery results and top-level
 * range selectors. {@code dropName} tells whether a top-level result drops its metric name.
 * Histogram samples are kept apart in {@code hts}/{@code hs} ({@code hcount} valid entries).
 */
record RawSeries(
    Labels labels, boolean dropName, long[] ts, double[] vs, int count,
    long[] hts, FloatHistogram[] hs, int hcount) {
  static final long[] NO_TIMES = new long[0];
  static final FloatHistogram[] NO_HISTOGRAMS = new FloatHistogram[0];

  RawSeries(Labels labels, boolean dropName, long[] ts, double[] vs, int count) {
    this(labels, dropName, ts, vs, count, NO_TIMES, NO_HISTOGRAMS, 0);
  }
}
