package dev.kiln.promql.engine;

import dev.kiln.promql.GrafanaVariables;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.ParseException;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryEngine;
import dev.kiln.promql.QueryOptions;
import dev.kiln.tsdb.storage.Queryable;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Kiln's PromQL engine: parses a query, plans it, and evaluates it over any {@link Queryable}
 * with Prometheus 3 semantics (lookback, staleness, left-open ranges, {@code @} and offset,
 * subqueries, delayed metric-name removal). Enforces the sample limit, the timeout (checked
 * cooperatively inside evaluation loops), cancellation and the points-per-series limit of range
 * queries. Thread-safe: queries share nothing but the immutable options.
 */
public final class Engine implements QueryEngine {
  /** How many query texts' syntax trees an engine keeps ({@link ParsedQueries}). */
  static final int PARSED_QUERIES = 512;

  private final EngineOptions options;
  private final PlanParser parser;
  private final SeriesLoader loader;

  /** An engine with the given limits that evaluates each query on its caller's thread alone. */
  public Engine(EngineOptions options) {
    this(options, ParsedQueries.planParser(new ParsedQueries(PARSED_QUERIES)), SeriesLoader.SEQUENTIAL);
  }

  /**
   * An engine that decodes the series of large selections on {@code workers} too: up to {@code
   * helpers} tasks per batch of series besides the query's own thread (0: sequential). Results are
   * those of sequential evaluation; the executor is not shut down by the engine.
   */
  public Engine(EngineOptions options, java.util.concurrent.Executor workers, int helpers) {
    this(options, workers, helpers, SeriesLoader.MIN_PARALLEL_SPAN_MILLIS);
  }

  /** As the public constructor, with selections spanning less than {@code minParallelSpanMillis} read sequentially. */
  Engine(EngineOptions options, java.util.concurrent.Executor workers, int helpers, long minParallelSpanMillis) {
    this(options, ParsedQueries.planParser(new ParsedQueries(PARSED_QUERIES)),
        helpers <= 0 ? SeriesLoader.SEQUENTIAL : new SeriesLoader(workers, helpers, minParallelSpanMillis));
  }

  /** An engine with the given limits that reads query text with {@code parser}. */
  Engine(EngineOptions options, PlanParser parser) {
    this(options, parser, SeriesLoader.SEQUENTIAL);
  }

  Engine(EngineOptions options, PlanParser parser, SeriesLoader loader) {
    this.options = options;
    this.parser = parser;
    this.loader = loader;
  }

  public EngineOptions options() {
    return options;
  }

  @Override
  public Query instantQuery(Queryable storage, QueryOptions qo, String expr, long timeMillis) {
    return instantQuery(storage, qo, expr, timeMillis, UnaryOperator.identity());
  }

  /** An instant query whose plan is rewritten before evaluation (used by conformance tests). */
  Query instantQuery(
      Queryable storage, QueryOptions qo, String expr, long timeMillis, UnaryOperator<Plan> rewrite) {
    qo = qo == null ? QueryOptions.DEFAULTS : qo;
    long lookback = qo.lookbackDeltaMillis() > 0 ? qo.lookbackDeltaMillis() : options.lookbackDeltaMillis();
    String text = GrafanaVariables.substitute(expr, 0, lookback, qo.scrapeIntervalMillis());
    Plan plan = rewrite.apply(parser.parse(text, 0, 0));
    return new EngineQuery(options, storage, qo, expr, text, plan, Grid.instant(timeMillis), true, loader);
  }

  @Override
  public Query rangeQuery(
      Queryable storage, QueryOptions qo, String expr, long startMillis, long endMillis, long stepMillis) {
    return rangeQuery(storage, qo, expr, startMillis, endMillis, stepMillis, UnaryOperator.identity());
  }

  Query rangeQuery(
      Queryable storage, QueryOptions qo, String expr, long startMillis, long endMillis, long stepMillis,
      UnaryOperator<Plan> rewrite) {
    qo = qo == null ? QueryOptions.DEFAULTS : qo;
    if (stepMillis <= 0) {
      throw new ParseException(
          "zero or negative query resolution step widths are not accepted. Try a positive integer", -1, -1);
    }
    if (endMillis < startMillis) {
      throw new ParseException("end timestamp must not be before start time", -1, -1);
    }
    if ((endMillis - startMillis) / stepMillis > options.maxPointsPerSeries()) {
      throw new ParseException(
          String.format(Locale.ROOT,
              "exceeded maximum resolution of %,d points per timeseries. Try decreasing the query resolution (?step=XX)",
              options.maxPointsPerSeries()),
          -1, -1);
    }
    String text = GrafanaVariables.substitute(expr, stepMillis, endMillis - startMillis, qo.scrapeIntervalMillis());
    Plan plan = rewrite.apply(parser.parse(text, stepMillis, endMillis - startMillis));
    if (plan.type() != Plan.Type.VECTOR && plan.type() != Plan.Type.SCALAR) {
      throw new ParseException(
          "invalid expression type \"" + typeName(plan.type())
              + "\" for range query, must be Scalar or instant Vector", -1, -1);
    }
    return new EngineQuery(
        options, storage, qo, expr, text, plan, new Grid(startMillis, endMillis, stepMillis), false, loader);
  }

  static String typeName(Plan.Type t) {
    return switch (t) {
      case SCALAR -> "scalar";
      case VECTOR -> "instant vector";
      case MATRIX -> "range vector";
      case STRING -> "string";
    };
  }
}
