package dev.kiln.promql.engine;

import dev.kiln.tsdb.model.Labels;

/**
 * One series of a range vector: labels plus samples in increasing time order in primitive arrays
 * ({@code count} valid entries), stale markers removed. Used for subquery results and top-level
 * range selectors. {@code dropName} tells whether a top-level result drops its metric name.
 */
record RawSeries(Labels labels, boolean dropName, long[] ts, double[] vs, int count) {}
