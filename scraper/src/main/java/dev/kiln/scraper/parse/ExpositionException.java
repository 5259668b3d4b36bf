package dev.kiln.scraper.parse;

/** Malformed exposition text; the message names the line and the reason. */
public final class ExpositionException extends RuntimeException {
  private final int line;

  public ExpositionException(int line, String reason) {
    super("line " + line + ": " + reason);
    this.line = line;
  }

  /** 1-based line number of the problem. */
  public int line() {
    return line;
  }
}
