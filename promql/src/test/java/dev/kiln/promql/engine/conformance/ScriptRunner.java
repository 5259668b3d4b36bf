package dev.kiln.promql.engine.conformance;

import dev.kiln.promql.Matrix;
import dev.kiln.promql.PromQLException;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryResult;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.Value;
import dev.kiln.promql.Vector;
import dev.kiln.promql.engine.Engine;
import dev.kiln.promql.engine.EngineTestAccess;
import dev.kiln.promql.engine.conformance.ScriptCommand.Eval;
import dev.kiln.promql.engine.conformance.ScriptCommand.Expectation;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs the commands of one test script against Kiln's engine and an {@link InMemoryStorage},
 * reproducing Prometheus's {@code promqltest} checks: each instant eval also runs pinned with
 * {@code @} at other times and as a range query around its time; results, errors and
 * annotations are compared as Prometheus does.
 */
final class ScriptRunner {
  /** Outcome of one eval. */
  enum Status {
    PASSED,
    FAILED,
    SKIPPED
  }

  record Outcome(int line, String expr, Status status, String detail) {}

  private static final Pattern QUERY_CONTEXT_FUNCS = Pattern.compile("(start|end|range|step)\\(\\)");

  private final Engine engine;
  private InMemoryStorage storage = new InMemoryStorage();
  private final ScriptLoader loader = new ScriptLoader();
  /** Series given start timestamps (an experimental extension the storage does not model). */
  private final Set<Labels> startTimestampSeries = new HashSet<>();

  ScriptRunner(Engine engine) {
    this.engine = engine;
  }

  List<Outcome> run(List<ScriptCommand> cmds) {
    List<Outcome> out = new ArrayList<>();
    for (ScriptCommand c : cmds) {
      if (c instanceof ScriptCommand.Clear) {
        storage = new InMemoryStorage();
        loader.clear();
        startTimestampSeries.clear();
      } else if (c instanceof ScriptCommand.Load load) {
        load(load);
      } else if (c instanceof Eval ev) {
        out.add(runEval(ev));
      }
    }
    return out;
  }

  private void load(ScriptCommand.Load load) {
    for (Labels l : load.startTimestampMetrics()) {
      if (l.isEmpty()) {
        startTimestampSeries.addAll(load.series().keySet());
      } else {
        startTimestampSeries.add(l);
      }
    }
    Appender app = storage.appender();
    loader.load(load, app);
    app.commit();
  }

  private String skipReason(Eval ev) {
    String r = readsAny(ev, startTimestampSeries);
    if (r != null) {
      return "start timestamps (@st) are not supported (query reads series " + r + ")";
    }
    return null;
  }

  private static String readsAny(Eval ev, Set<Labels> series) {
    if (series.isEmpty()) {
      return null;
    }
    List<List<LabelMatcher>> selectors;
    try {
      selectors = EngineTestAccess.selectors(ev.expr);
    } catch (PromQLException e) {
      // The query does not parse (for example native-histogram-only operators): fall back to
      // looking for the metric names of those series in the query text.
      for (Labels h : series) {
        String name = h.getOrEmpty(Labels.METRIC_NAME);
        if (!name.isEmpty() && Pattern.compile("(?<![A-Za-z0-9_:])" + Pattern.quote(name) + "(?![A-Za-z0-9_:])")
            .matcher(ev.expr).find()) {
          return h.toString();
        }
      }
      return null;
    }
    for (List<LabelMatcher> matchers : selectors) {
      for (Labels h : series) {
        boolean all = true;
        for (LabelMatcher m : matchers) {
          if (!m.matches(h)) {
            all = false;
            break;
          }
        }
        if (all) {
          return h.toString();
        }
      }
    }
    return null;
  }

  private Outcome runEval(Eval ev) {
    String reason = skipReason(ev);
    if (reason != null) {
      return new Outcome(ev.line, ev.expr, Status.SKIPPED, reason);
    }
    String err;
    try {
      err = ev.range ? execRange(ev) : execInstant(ev);
    } catch (RuntimeException e) {
      err = "unexpected exception: " + e;
    }
    return new Outcome(ev.line, ev.expr, err == null ? Status.PASSED : Status.FAILED, err);
  }

  private String execRange(Eval ev) {
    QueryResult res;
    try (Query q = engine.rangeQuery(storage, QueryOptions.DEFAULTS, ev.expr, ev.start, ev.end, ev.step)) {
      res = q.exec();
    } catch (PromQLException e) {
      if (ev.isFail()) {
        return checkExpectedFailure(ev, e);
      }
      return "error evaluating query: " + e.getMessage();
    }
    if (ev.isFail()) {
      return "expected error evaluating query but got none";
    }
    String a = checkAnnotations(ev, res);
    if (a != null) {
      return a;
    }
    return ResultComparator.compare(ev, res.value());
  }

  private String execInstant(Eval ev) {
    long t = ev.evalTime();
    String e = runInstant(ev, ev.expr, t, null);
    if (e != null) {
      return e;
    }
    boolean unsafe;
    try {
      unsafe = EngineTestAccess.usesAtUnsafeFunction(ev.expr);
    } catch (PromQLException ex) {
      return null;
    }
    if (unsafe) {
      return null;
    }
    long[] times = t == 0 ? new long[] {-1000, 0, 1000} : new long[] {-10 * t, 0, t / 5, t, 10 * t};
    for (long evalTime : times) {
      e = runInstant(ev, ev.expr, evalTime, t);
      if (e != null) {
        return "with @ " + t + " at " + evalTime + ": " + e;
      }
    }
    return null;
  }

  /** Runs one instant variant; {@code pin} null means the expression as written. */
  private String runInstant(Eval ev, String expr, long evalTime, Long pin) {
    QueryResult res;
    try {
      Query q = pin == null
          ? engine.instantQuery(storage, QueryOptions.DEFAULTS, expr, evalTime)
          : EngineTestAccess.pinnedInstantQuery(engine, storage, expr, evalTime, pin);
      res = q.exec();
    } catch (PromQLException e) {
      if (ev.isFail()) {
        return checkExpectedFailure(ev, e);
      }
      return "error evaluating query: " + e.getMessage();
    }
    if (ev.isFail()) {
      return "expected error evaluating query but got none";
    }
    String a = checkAnnotations(ev, res);
    if (a != null) {
      return a;
    }
    String c = ResultComparator.compare(ev, res.value());
    if (c != null) {
      return c;
    }
    if (ev.excludeFromRangeQuery) {
      return null;
    }
    String textForContextCheck = pin == null ? expr : expr.replaceAll("@\\s*(start|end)\\(\\)", "");
    if (QUERY_CONTEXT_FUNCS.matcher(textForContextCheck).find()) {
      return null;
    }
    Value rangeValue;
    try {
      Query q = pin == null
          ? engine.rangeQuery(storage, QueryOptions.DEFAULTS, expr, evalTime - 60_000, evalTime + 60_000, 60_000)
          : EngineTestAccess.pinnedRangeQuery(engine, storage, expr, evalTime - 60_000, evalTime + 60_000, 60_000, pin);
      rangeValue = q.exec().value();
    } catch (PromQLException e) {
      return "error evaluating query in range mode: " + e.getMessage();
    }
    if (ev.isOrdered()) {
      return null;
    }
    Matrix mat = (Matrix) rangeValue;
    String sorted = ResultComparator.assertSorted(mat);
    if (sorted != null) {
      return sorted;
    }
    List<Sample> vec = new ArrayList<>();
    for (RangeSeries s : mat.series()) {
      for (int i = 0; i < s.count(); i++) {
        if (s.timestampAt(i) == evalTime) {
          vec.add(new Sample(s.labels(), evalTime, s.valueAt(i)));
          break;
        }
      }
      for (int i = 0; i < s.histogramCount(); i++) {
        if (s.histogramTimestampAt(i) == evalTime) {
          vec.add(new Sample(s.labels(), evalTime, s.histogramAt(i)));
          break;
        }
      }
    }
    String r;
    if (res.value() instanceof Scalar) {
      r = vec.isEmpty() ? "range mode returned no point" : ResultComparator.compare(ev, new Scalar(evalTime, vec.get(0).value()));
    } else {
      r = ResultComparator.compare(ev, new Vector(vec));
    }
    return r == null ? null : "range mode: " + r;
  }

  private static String checkExpectedFailure(Eval ev, PromQLException e) {
    String msg = e.getMessage();
    if (ev.expectedFailMessage != null && !ev.expectedFailMessage.equals(msg)) {
      return "expected error \"" + ev.expectedFailMessage + "\" but got: " + msg;
    }
    if (ev.expectedFailRegexp != null && !ev.expectedFailRegexp.matcher(msg).find()) {
      return "expected error matching " + ev.expectedFailRegexp + " but got: " + msg;
    }
    if (!ev.expectFail.isEmpty() && !ev.expectFail.get(0).matches(msg)) {
      return "expected error matching " + ev.expectFail.get(0) + " but got: " + msg;
    }
    return null;
  }

  private static String checkAnnotations(Eval ev, QueryResult res) {
    List<String> warnings = res.warnings();
    List<String> infos = res.infos();
    if (ev.warn && warnings.isEmpty()) {
      return "expected warnings but got none";
    }
    if (ev.info && infos.isEmpty()) {
      return "expected info annotations but got none";
    }
    String w = validate(ev.expectWarn, warnings, "warn");
    if (w != null) {
      return w;
    }
    String i = validate(ev.expectInfo, infos, "info");
    if (i != null) {
      return i;
    }
    if (ev.expectNoWarn && !warnings.isEmpty()) {
      return "unexpected warning annotations: " + warnings;
    }
    if (ev.expectNoInfo && !infos.isEmpty()) {
      return "unexpected info annotations: " + infos;
    }
    return null;
  }

  private static String validate(List<Expectation> expected, List<String> actual, String type) {
    if (expected.isEmpty()) {
      return null;
    }
    if (actual.isEmpty()) {
      return "expected " + type + " annotations but none were found";
    }
    for (Expectation e : expected) {
      if (actual.stream().noneMatch(e::matches)) {
        return "expected " + type + " annotation matching " + e + " but found: " + actual;
      }
    }
    for (String a : actual) {
      if (expected.stream().noneMatch(e -> e.matches(a))) {
        return "unexpected " + type + " annotation " + a;
      }
    }
    return null;
  }
}
