package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.ParseException;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryCanceledException;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryTimeoutException;
import dev.kiln.promql.Vector;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.SeriesSet;
import org.junit.jupiter.api.Test;

class EngineLimitsTest {
  private static InMemoryStorage storage(int series, int samples) {
    InMemoryStorage s = new InMemoryStorage();
    Appender app = s.appender();
    for (int i = 0; i < series; i++) {
      Labels l = Labels.of("__name__", "m", "i", Integer.toString(i));
      for (int k = 0; k < samples; k++) {
        app.append(0, l, k * 15_000L, k, AppendOptions.NONE);
      }
    }
    app.commit();
    return s;
  }

  private static Engine engine(long maxSamples, long timeoutMillis) {
    return new Engine(new EngineOptions(maxSamples, timeoutMillis, 300_000, 11_000));
  }

  @Test
  void tooManySamplesFailsWithPrometheusMessage() {
    InMemoryStorage s = storage(10, 100);
    Engine e = engine(50, 0);
    ExecutionException ex = assertThrows(ExecutionException.class,
        () -> e.rangeQuery(s, QueryOptions.DEFAULTS, "m", 0, 1_485_000, 15_000).exec());
    assertEquals("query processing would load too many samples into memory in query execution", ex.getMessage());
    // The same query fits under a higher limit.
    Matrix m = (Matrix) engine(10_000, 0).rangeQuery(s, QueryOptions.DEFAULTS, "m", 0, 1_485_000, 15_000).exec().value();
    assertEquals(10, m.series().size());
  }

  @Test
  void rangeQueriesAreLimitedInResolution() {
    Engine e = engine(1000, 0);
    ParseException ex = assertThrows(ParseException.class,
        () -> e.rangeQuery(new InMemoryStorage(), QueryOptions.DEFAULTS, "m", 0, 11_001_000, 1000));
    assertEquals("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        + "resolution (?step=XX)", ex.getMessage());
    assertThrows(ParseException.class,
        () -> e.rangeQuery(new InMemoryStorage(), QueryOptions.DEFAULTS, "m", 0, 1000, 0));
    assertThrows(ParseException.class,
        () -> e.rangeQuery(new InMemoryStorage(), QueryOptions.DEFAULTS, "m[5m]", 0, 1000, 10));
  }

  /** A storage whose series set blocks until released, to test timeouts and cancellation. */
  private static Queryable slow(InMemoryStorage delegate, Runnable onSelect) {
    return (mint, maxt) -> {
      Querier q = delegate.querier(mint, maxt);
      return new Querier() {
        @Override
        public SeriesSet select(boolean sorted, dev.kiln.tsdb.storage.SelectHints hints,
            dev.kiln.tsdb.model.LabelMatcher... matchers) {
          onSelect.run();
          return q.select(sorted, hints, matchers);
        }

        @Override
        public java.util.List<String> labelNames(dev.kiln.tsdb.model.LabelMatcher... matchers) {
          return q.labelNames(matchers);
        }

        @Override
        public java.util.List<String> labelValues(String name, dev.kiln.tsdb.model.LabelMatcher... matchers) {
          return q.labelValues(name, matchers);
        }

        @Override
        public void close() {
          q.close();
        }
      };
    };
  }

  @Test
  void canceledQueryStops() {
    InMemoryStorage s = storage(5, 10);
    Engine e = engine(1_000_000, 0);
    Query[] holder = new Query[1];
    Queryable cancelling = slow(s, () -> holder[0].cancel());
    holder[0] = e.instantQuery(cancelling, QueryOptions.DEFAULTS, "sum(m)", 100_000);
    QueryCanceledException ex = assertThrows(QueryCanceledException.class, () -> holder[0].exec());
    assertTrue(ex.getMessage().startsWith("query was canceled"));
  }

  @Test
  void timeoutIsCheckedInsideEvaluation() {
    InMemoryStorage s = storage(5, 10);
    Engine e = engine(1_000_000, 1);
    Queryable stalling = slow(s, () -> {
      long until = System.nanoTime() + 20_000_000L;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    });
    Query q = e.rangeQuery(stalling, QueryOptions.DEFAULTS, "sum(m) + sum(m)", 0, 135_000, 15_000);
    QueryTimeoutException ex = assertThrows(QueryTimeoutException.class, q::exec);
    assertTrue(ex.getMessage().startsWith("query timed out"));
  }

  @Test
  void instantQueryKeepsEvaluationTimeOnSamples() {
    InMemoryStorage s = storage(2, 10);
    Vector v = (Vector) engine(10_000, 0).instantQuery(s, QueryOptions.DEFAULTS, "m", 100_000).exec().value();
    assertEquals(2, v.samples().size());
    assertEquals(100_000, v.samples().get(0).timestampMillis());
    assertEquals(6, v.samples().get(0).value());
  }

  @Test
  void resultTypesFollowTheExpressionEvenWhenEmpty() {
    InMemoryStorage s = storage(1, 10);
    Engine e = engine(10_000, 0);
    assertTrue(e.instantQuery(s, QueryOptions.DEFAULTS, "nothing[5m]", 100_000).exec().value() instanceof Matrix);
    assertTrue(e.instantQuery(s, QueryOptions.DEFAULTS, "nothing", 100_000).exec().value() instanceof Vector);
    assertEquals("scalar", e.instantQuery(s, QueryOptions.DEFAULTS, "1+1", 4000).exec().value().typeName());
    assertEquals("string", e.instantQuery(s, QueryOptions.DEFAULTS, "\"x\"", 4000).exec().value().typeName());
    Matrix m = (Matrix) e.instantQuery(s, QueryOptions.DEFAULTS, "m[1m]", 100_000).exec().value();
    assertEquals(4, m.series().get(0).count());
  }

  @Test
  void storageWarningsReachTheResult() {
    InMemoryStorage s = storage(1, 10);
    Queryable warning = (mint, maxt) -> {
      Querier q = s.querier(mint, maxt);
      return new Querier() {
        @Override
        public SeriesSet select(boolean sorted, dev.kiln.tsdb.storage.SelectHints hints,
            dev.kiln.tsdb.model.LabelMatcher... matchers) {
          SeriesSet inner = q.select(sorted, hints, matchers);
          return new SeriesSet() {
            @Override
            public boolean next() {
              return inner.next();
            }

            @Override
            public dev.kiln.tsdb.storage.Series at() {
              return inner.at();
            }

            @Override
            public java.util.List<String> warnings() {
              return java.util.List.of("block 01H: partial data");
            }
          };
        }

        @Override
        public java.util.List<String> labelNames(dev.kiln.tsdb.model.LabelMatcher... matchers) {
          return q.labelNames(matchers);
        }

        @Override
        public java.util.List<String> labelValues(String name, dev.kiln.tsdb.model.LabelMatcher... matchers) {
          return q.labelValues(name, matchers);
        }

        @Override
        public void close() {
          q.close();
        }
      };
    };
    var r = engine(10_000, 0).instantQuery(warning, QueryOptions.DEFAULTS, "sum(m)", 100_000).exec();
    assertEquals(java.util.List.of("block 01H: partial data"), r.warnings());
  }

  @Test
  void annotationPositionsReferToTheTextAfterGrafanaSubstitution() {
    InMemoryStorage s = storage(1, 100);
    String q = "rate(m[$__rate_interval]) + rate(m[5m])";
    String parsed = dev.kiln.promql.GrafanaVariables.substitute(q, 0, 300_000, 0);
    int col = parsed.lastIndexOf("m[5m]") + 1;
    var r = engine(10_000, 0).instantQuery(s, QueryOptions.DEFAULTS, q, 1_000_000).exec();
    assertTrue(r.infos().stream().anyMatch(i -> i.endsWith("(1:" + col + ")")), r.infos().toString());
  }
}
