package dev.kiln.tsdb.db;

/**
 * One self-monitoring value of the database, named as Prometheus names its own TSDB metrics where
 * one exists (so existing dashboards work). Immutable.
 *
 * @param name metric name, e.g. {@code prometheus_tsdb_head_series}
 * @param help one-line description
 * @param counter true for a monotonic counter, false for a gauge
 * @param value current value
 */
public record DbMetric(String name, String help, boolean counter, double value) {}
