package dev.kiln.promql.engine;

/** Reads query text into a {@link Plan}; throws {@link dev.kiln.promql.ParseException}. */
@FunctionalInterface
interface PlanParser {
  /**
   * @param stepMillis the query's step, 0 for instant queries (for {@code step()} in durations)
   * @param rangeMillis the query's end minus start (for {@code range()} in durations)
   */
  Plan parse(String query, long stepMillis, long rangeMillis);

  /** Kiln's reader. */
  PlanParser DEFAULT = (query, step, range) -> new PlanReader(query, step, range).read();
}
