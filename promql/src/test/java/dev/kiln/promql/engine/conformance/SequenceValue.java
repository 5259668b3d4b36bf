package dev.kiln.promql.engine.conformance;

/**
 * One position of a series description: a float value, a native histogram (not modelled beyond
 * its presence), or an omitted position ({@code _}).
 */
record SequenceValue(double value, boolean omitted, boolean histogram) {
  static final SequenceValue OMITTED = new SequenceValue(0, true, false);

  static SequenceValue of(double v) {
    return new SequenceValue(v, false, false);
  }
}
