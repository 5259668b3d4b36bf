package dev.kiln.server.rules;

/** A rule file that fails validation; the message names the file, line, group and rule. */
public final class RuleFileException extends RuntimeException {
  public RuleFileException(String message) {
    super(message);
  }
}
