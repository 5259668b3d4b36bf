package dev.kiln.server.push;

/**
 * A push rejected for what it contains (HTTP 400 with this message). As in the Pushgateway, a
 * body that cannot be parsed leaves the store alone, while a parsed push that is inconsistent
 * (timestamps, a series twice, a type or series clashing with another group) is recorded as a
 * failed push of its group ({@code push_failure_time_seconds}).
 */
public final class PushException extends Exception {
  private final boolean inconsistent;

  public PushException(String message) {
    this(message, false);
  }

  private PushException(String message, boolean inconsistent) {
    super(message);
    this.inconsistent = inconsistent;
  }

  /** A parsed push the store refuses, with the Pushgateway's message prefix. */
  static PushException inconsistent(String detail) {
    return new PushException("pushed metrics are invalid or inconsistent with existing metrics: " + detail, true);
  }

  /** Whether the push was parsed and refused (recorded as a failed push), not unparsable. */
  public boolean isInconsistent() {
    return inconsistent;
  }
}
