package dev.kiln.promql;

/**
 * A query that is not valid PromQL, or is valid syntax with a type error. The message reads like
 * Prometheus's, e.g. {@code 1:14: parse error: unexpected right parenthesis ')'}.
 */
public final class ParseException extends PromQLException {
  private final int startOffset;
  private final int endOffset;

  /**
   * @param message the full message, including the {@code line:column:} prefix when known
   * @param startOffset character offset where the problem starts, -1 if unknown
   * @param endOffset character offset where it ends (exclusive), -1 if unknown
   */
  public ParseException(String message, int startOffset, int endOffset) {
    super(message);
    this.startOffset = startOffset;
    this.endOffset = endOffset;
  }

  public int startOffset() {
    return startOffset;
  }

  public int endOffset() {
    return endOffset;
  }
}
