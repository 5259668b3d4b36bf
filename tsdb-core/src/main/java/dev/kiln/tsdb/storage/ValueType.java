package dev.kiln.tsdb.storage;

/** What a {@link SampleIterator} is positioned on. */
public enum ValueType {
  /** Exhausted: no sample. */
  NONE,
  /** A float sample: read {@link SampleIterator#atT()} and {@link SampleIterator#atV()}. */
  FLOAT,
  /**
   * An integer native histogram: read {@link SampleIterator#atHistogram} or, converted,
   * {@link SampleIterator#atFloatHistogram}.
   */
  HISTOGRAM,
  /** A float native histogram: read {@link SampleIterator#atFloatHistogram}. */
  FLOAT_HISTOGRAM
}
