package dev.kiln.server.api;

import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.ParseException;
import dev.kiln.promql.PromQLException;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryCanceledException;
import dev.kiln.promql.QueryEngine;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryResult;
import dev.kiln.promql.QueryTimeoutException;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.StorageException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * {@code /api/v1/query} and {@code /api/v1/query_range}: parameter validation in Prometheus's
 * order, evaluation with the per-request timeout and the concurrency limit, and the mapping of
 * engine errors to API error types.
 */
public final class QueryApi {
  private final QueryEngine engine;
  private final Queryable storage;
  private final Clock clock;
  private final long defaultTimeoutMillis;
  private final Semaphore concurrency;
  private final ScheduledExecutorService timer;
  private final LongSupplier scrapeIntervalMillis;
  private final dev.kiln.server.memory.QueryActivity afterQuery;

  public QueryApi(QueryEngine engine, Queryable storage, Clock clock, long defaultTimeoutMillis, int maxConcurrency,
      ScheduledExecutorService timer, LongSupplier scrapeIntervalMillis) {
    this(engine, storage, clock, defaultTimeoutMillis, maxConcurrency, timer, scrapeIntervalMillis, null);
  }

  /** Same, telling {@code afterQuery} (null: nothing) when each query's evaluation starts and ends. */
  public QueryApi(QueryEngine engine, Queryable storage, Clock clock, long defaultTimeoutMillis, int maxConcurrency,
      ScheduledExecutorService timer, LongSupplier scrapeIntervalMillis,
      dev.kiln.server.memory.QueryActivity afterQuery) {
    this.afterQuery = afterQuery;
    this.engine = engine;
    this.storage = storage;
    this.clock = clock;
    this.defaultTimeoutMillis = defaultTimeoutMillis;
    this.concurrency = new Semaphore(Math.max(1, maxConcurrency), true);
    this.timer = timer;
    this.scrapeIntervalMillis = scrapeIntervalMillis;
  }

  public void register(Router router) {
    router.read("/api/v1/query", this::instant);
    router.read("/api/v1/query_range", this::range);
  }

  private Response instant(Request r) throws Exception {
    int limit = ApiParams.limit(r);
    long t = ApiParams.queryTime(r, clock.millis());
    long timeout = timeout(r);
    QueryOptions qo = options(r);
    String expr = requireQuery(r);
    Query q = prepare(() -> engine.instantQuery(storage, qo, expr, t));
    return run(q, timeout, t, limit);
  }

  private Response range(Request r) throws Exception {
    int limit = ApiParams.limit(r);
    long start = requireTime(r, "start");
    long end = requireTime(r, "end");
    if (end < start) {
      throw ApiException.badParam("end", "end timestamp must not be before start time");
    }
    String stepText = r.param("step");
    if (stepText == null || stepText.isEmpty()) {
      throw ApiException.badParam("step", "cannot parse \"\" to a valid duration");
    }
    long step = ApiParams.duration(r, "step");
    if (step <= 0) {
      throw ApiException.badParam("step", "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if ((end - start) / step > 11_000) {
      throw ApiException.badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    }
    long timeout = timeout(r);
    QueryOptions qo = options(r);
    String expr = requireQuery(r);
    Query q = prepare(() -> engine.rangeQuery(storage, qo, expr, start, end, step));
    return run(q, timeout, start, limit);
  }

  private static long requireTime(Request r, String name) throws ApiException {
    String v = r.param(name);
    if (v == null || v.isEmpty()) {
      throw ApiException.badParam(name, "cannot parse \"\" to a valid timestamp");
    }
    return ApiParams.time(r, name, 0);
  }

  private static String requireQuery(Request r) {
    String q = r.param("query");
    return q == null ? "" : q;
  }

  private long timeout(Request r) throws ApiException {
    long t = ApiParams.duration(r, "timeout");
    return t <= 0 ? defaultTimeoutMillis : Math.min(t, defaultTimeoutMillis);
  }

  private QueryOptions options(Request r) throws ApiException {
    long lookback = ApiParams.duration(r, "lookback_delta");
    return new QueryOptions(Math.max(0, lookback), scrapeIntervalMillis.getAsLong());
  }

  private interface Prepare {
    Query get();
  }

  private static Query prepare(Prepare p) throws ApiException {
    try {
      return p.get();
    } catch (ParseException e) {
      throw ApiException.badParam("query", e.getMessage());
    }
  }

  private Response run(Query q, long timeoutMillis, long evalTime, int limit) throws Exception {
    AtomicBoolean timedOut = new AtomicBoolean();
    try (q) {
      concurrency.acquire();
      if (afterQuery != null) {
        afterQuery.started();
      }
      ScheduledFuture<?> timerTask = timer.schedule(() -> {
        timedOut.set(true);
        q.cancel();
      }, timeoutMillis, TimeUnit.MILLISECONDS);
      QueryResult result;
      try {
        result = q.exec();
      } finally {
        timerTask.cancel(false);
        concurrency.release();
        if (afterQuery != null) {
          afterQuery.ended();
        }
      }
      List<String> warnings = new ArrayList<>(result.warnings());
      boolean[] truncated = {false};
      Response resp = ApiResponses.success(out -> truncated[0] = ResultWriter.write(out, result.value(), evalTime, limit),
          warnings, result.infos());
      if (truncated[0]) {
        warnings.add("results truncated due to limit");
        return ApiResponses.success(out -> ResultWriter.write(out, result.value(), evalTime, limit), warnings, result.infos());
      }
      return resp;
    } catch (QueryCanceledException e) {
      if (timedOut.get()) {
        throw new ApiException("timeout", 503, "query timed out in query execution");
      }
      throw new ApiException("canceled", 499, e.getMessage());
    } catch (QueryTimeoutException e) {
      throw new ApiException("timeout", 503, e.getMessage());
    } catch (ParseException e) {
      throw ApiException.badParam("query", e.getMessage());
    } catch (ExecutionException e) {
      throw new ApiException("execution", 422, e.getMessage());
    } catch (PromQLException e) {
      throw new ApiException("execution", 422, e.getMessage());
    } catch (StorageException e) {
      throw new ApiException("internal", 500, e.getMessage());
    }
  }
}
