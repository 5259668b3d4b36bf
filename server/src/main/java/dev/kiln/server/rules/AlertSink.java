package dev.kiln.server.rules;

import java.util.List;

/** Receives the alerts an alerting rule wants sent (firing and recently resolved). */
@FunctionalInterface
public interface AlertSink {
  /**
   * @param expr the rule's expression, for the generator URL
   * @param alerts alerts to send; resolved ones have a non-zero resolvedAt
   */
  void send(String expr, List<AlertSnapshot> alerts);

  AlertSink NONE = (expr, alerts) -> {};
}
