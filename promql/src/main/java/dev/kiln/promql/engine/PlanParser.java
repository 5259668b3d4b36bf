package dev.kiln.promql.engine;

import dev.kiln.promql.parser.PromQLParser;

/** Reads query text into a {@link Plan}; throws {@link dev.kiln.promql.ParseException}. */
@FunctionalInterface
interface PlanParser {
  /**
   * @param stepMillis the query's step, 0 for instant queries (for {@code step()} in durations)
   * @param rangeMillis the query's end minus start (for {@code range()} in durations)
   */
  Plan parse(String query, long stepMillis, long rangeMillis);

  /** Kiln's parser followed by the planner. */
  PlanParser DEFAULT = (query, step, range) -> new Planner(step, range).plan(PromQLParser.parse(query));
}
