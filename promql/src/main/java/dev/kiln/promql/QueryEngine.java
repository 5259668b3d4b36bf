package dev.kiln.promql;

import dev.kiln.tsdb.storage.Queryable;

/**
 * Evaluates PromQL over any {@link Queryable}. Owns no storage; thread-safe. Times are
 * milliseconds since the epoch.
 */
public interface QueryEngine {
  /**
   * Prepares an instant query at time {@code t}.
   *
   * @throws ParseException when the expression is not valid PromQL
   */
  Query instantQuery(Queryable storage, QueryOptions options, String expr, long timeMillis);

  /**
   * Prepares a range query over [start, end] with the given step (> 0).
   *
   * @throws ParseException when the expression is not valid PromQL or not an instant vector or
   *     scalar
   */
  Query rangeQuery(
      Queryable storage, QueryOptions options, String expr, long startMillis, long endMillis, long stepMillis);
}
