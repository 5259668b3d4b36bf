package dev.kiln.promql;

/** A string result at a time (milliseconds). */
public record StringValue(long timestampMillis, String value) implements Value {
  @Override
  public String typeName() {
    return "string";
  }
}
