package dev.kiln.promql.engine;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryResult;
import dev.kiln.promql.Value;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;

/**
 * One prepared query. {@link #exec()} runs once on the caller's thread; {@link #cancel()} may be
 * called from any thread.
 */
final class EngineQuery implements Query {
  private final EngineOptions options;
  private final Queryable storage;
  private final QueryOptions queryOptions;
  private final String expr;
  /** The text that was parsed (after variable substitution), for annotation positions. */
  private final String parsedText;
  private final Plan plan;
  private final Grid grid;
  private final boolean instant;
  private final QueryControl control;
  private final SeriesLoader loader;
  private boolean executed;

  EngineQuery(
      EngineOptions options, Queryable storage, QueryOptions queryOptions, String expr,
      String parsedText, Plan plan, Grid grid, boolean instant, SeriesLoader loader) {
    this.loader = loader;
    this.options = options;
    this.storage = storage;
    this.queryOptions = queryOptions == null ? QueryOptions.DEFAULTS : queryOptions;
    this.expr = expr;
    this.parsedText = parsedText;
    this.plan = plan;
    this.grid = grid;
    this.instant = instant;
    this.control = new QueryControl(options.timeoutMillis(), options.maxSamples());
  }

  @Override
  public QueryResult exec() {
    if (executed) {
      throw new IllegalStateException("query already executed");
    }
    executed = true;
    control.checkNow();
    long lookback =
        queryOptions.lookbackDeltaMillis() > 0 ? queryOptions.lookbackDeltaMillis() : options.lookbackDeltaMillis();
    long[] range = DataRange.of(plan, grid, lookback, options.defaultSubqueryStepMillis());
    Annotations annotations = new Annotations(parsedText);
    try (Querier querier = storage.querier(range[0], range[1])) {
      Evaluator ev = new Evaluator(
          querier, control, annotations, lookback, grid.start(), grid.end(), instant ? 0 : grid.interval(),
          options.defaultSubqueryStepMillis(), loader);
      ev.statsSelectors = HistogramStatsSelectors.find(plan);
      StepValue result = ev.eval(plan, grid);
      control.checkNow();
      Value value = instant ? ResultAssembler.instant(result, grid.start()) : ResultAssembler.range(result, grid);
      return new QueryResult(value, annotations.warnings(), annotations.infos());
    }
  }

  @Override
  public void cancel() {
    control.cancel();
  }

  @Override
  public String expression() {
    return expr;
  }

  @Override
  public void close() {}
}
