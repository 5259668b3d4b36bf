package dev.kiln.promql;

import dev.kiln.tsdb.model.Labels;

/** One element of an instant vector: a series' labels with one float sample. */
public record Sample(Labels labels, long timestampMillis, double value) {}
