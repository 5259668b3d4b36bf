package dev.kiln.promql.engine.conformance;

/** Reads Go-style quoted strings; shared by the test-side readers. */
public final class QuotedStrings {
  private QuotedStrings() {}

  /** Reads the quoted string starting at {@code pos[0]} and advances {@code pos[0]} past it. */
  public static String read(String s, int[] pos) {
    return SeriesDescription.readQuoted(s, pos);
  }
}
