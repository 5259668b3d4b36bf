package dev.kiln.promql;

/** A scalar result at a time (milliseconds). */
public record Scalar(long timestampMillis, double value) implements Value {
  @Override
  public String typeName() {
    return "scalar";
  }
}
