package dev.kiln.server.rules;

import dev.kiln.promql.QueryEngine;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Queryable;

/**
 * What rules need from the rest of Kiln to evaluate: the engine, the data, and the settings
 * that templates and notifications use.
 */
public record RuleContext(QueryEngine engine, Queryable storage, Labels externalLabels, String externalURL) {}
