package dev.kiln.server.rules;

/** A rule evaluation that failed; recorded as the rule's last error. */
public final class RuleEvaluationException extends RuntimeException {
  public RuleEvaluationException(String message) {
    super(message);
  }
}
