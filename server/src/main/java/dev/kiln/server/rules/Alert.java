package dev.kiln.server.rules;

import dev.kiln.tsdb.model.Labels;

/**
 * One alert instance of an alerting rule. Mutable; owned by its rule and changed only during the
 * rule's evaluation (the group's thread). Times in epoch milliseconds, 0 for "never".
 */
public final class Alert {
  final Labels labels;
  Labels annotations;
  AlertState state;
  double value;
  long activeAt;
  long firedAt;
  long resolvedAt;
  long lastSentAt;
  long validUntil;
  long keepFiringSince;

  Alert(Labels labels, Labels annotations, double value, long activeAt) {
    this.labels = labels;
    this.annotations = annotations;
    this.value = value;
    this.activeAt = activeAt;
    this.state = AlertState.PENDING;
  }

  /** An immutable copy for readers on other threads. */
  AlertSnapshot snapshot() {
    return new AlertSnapshot(labels, annotations, state, value, activeAt, firedAt, resolvedAt, validUntil, keepFiringSince);
  }

  /** Prometheus's needsSending: firing or resolved alerts, after the resend delay. */
  boolean needsSending(long ts, long resendDelay) {
    if (state == AlertState.PENDING) {
      return false;
    }
    if (resolvedAt > lastSentAt) {
      return true;
    }
    return lastSentAt + resendDelay < ts;
  }
}
