package dev.kiln.server.alerting;

import dev.kiln.tsdb.model.Labels;

/**
 * An alert as sent to Alertmanager (API v2 {@code postableAlert}). Times in epoch milliseconds;
 * {@code endsAt} is the resolve time for resolved alerts, else the validity end.
 */
public record NotifierAlert(Labels labels, Labels annotations, long startsAtMillis, long endsAtMillis, String generatorURL) {}
