package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.histogram.FloatHistogram;

/**
 * One position of a series description: a float value, a native histogram, or an omitted
 * position ({@code _}). {@code hintSet} tells whether the histogram spelled out its
 * {@code counter_reset_hint} (only then is the hint compared).
 */
record SequenceValue(double value, boolean omitted, FloatHistogram histogram, boolean hintSet) {
  static final SequenceValue OMITTED = new SequenceValue(0, true, null, false);

  static SequenceValue of(double v) {
    return new SequenceValue(v, false, null, false);
  }

  static SequenceValue of(FloatHistogram h, boolean hintSet) {
    return new SequenceValue(0, false, h, hintSet);
  }

  boolean isHistogram() {
    return histogram != null;
  }
}
