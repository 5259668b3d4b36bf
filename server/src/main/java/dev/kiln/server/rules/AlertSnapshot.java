package dev.kiln.server.rules;

import dev.kiln.tsdb.model.Labels;

/** An immutable view of an alert at one moment (for the API and the notifier). */
public record AlertSnapshot(
    Labels labels,
    Labels annotations,
    AlertState state,
    double value,
    long activeAtMillis,
    long firedAtMillis,
    long resolvedAtMillis,
    long validUntilMillis,
    long keepFiringSinceMillis) {}
