package dev.kiln.promql.engine;

/** Parses query text into a {@link Plan}; throws {@link dev.kiln.promql.ParseException}. */
@FunctionalInterface
interface PlanParser {
  Plan parse(String query);
}
