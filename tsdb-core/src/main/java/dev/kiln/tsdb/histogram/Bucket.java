package dev.kiln.tsdb.histogram;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;

/**
 * One bucket: bounds with their inclusiveness, its absolute count and its index within its schema
 * (irrelevant for the zero bucket). Cumulative views set {@code lower} to -Inf.
 */
public record Bucket(
    double lower, double upper, boolean lowerInclusive, boolean upperInclusive, double count, int index) {

  /** Prometheus's text form, e.g. {@code (1,2]:3} or {@code [-0.001,0.001]:2}. */
  @Override
  public String toString() {
    return (lowerInclusive ? "[" : "(")
        + GoFloats.format(lower, Notation.V)
        + ","
        + GoFloats.format(upper, Notation.V)
        + (upperInclusive ? "]" : ")")
        + ":"
        + GoFloats.format(count, Notation.V);
  }
}
