package dev.kiln.scraper.parse;

/** A malformed exposition; for the text formats the message names the line and the reason. */
public final class ExpositionException extends RuntimeException {
  private final int line;

  public ExpositionException(int line, String reason) {
    super("line " + line + ": " + reason);
    this.line = line;
  }

  /** A problem of a format without lines (the protobuf exposition); {@link #line()} is 0. */
  public ExpositionException(String message) {
    super(message);
    this.line = 0;
  }

  /** 1-based line number of the problem. */
  public int line() {
    return line;
  }
}
