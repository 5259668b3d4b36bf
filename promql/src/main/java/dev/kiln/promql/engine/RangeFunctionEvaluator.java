package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Evaluates function calls that take a range vector (a range selector or a subquery): one series
 * at a time, sliding the window over the series' samples step by step and calling the
 * {@link RangeFunction} kernel. Also streams element-wise math functions. Single-thread, owned by
 * one {@link Evaluator}.
 */
final class RangeFunctionEvaluator {
  private final Evaluator ev;

  RangeFunctionEvaluator(Evaluator ev) {
    this.ev = ev;
  }

  /**
   * Streams the output of a call into a sink when the function allows it: range functions (other
   * than absent_over_time) and element-wise math functions. Returns false when it does not, and
   * the caller must evaluate the call as a whole.
   */
  boolean stream(Plan.Call c, Grid g, SeriesSink sink) {
    RangeFunction rf = RangeFunction.byName(c.name());
    if (rf != null && rf != RangeFunction.ABSENT_OVER_TIME) {
      rangeFunction(rf, c, g, sink);
      return true;
    }
    DoubleUnaryOperator math = MathFunctions.byName(c.name());
    if (math != null) {
      ev.stream(c.args().get(0), g, s -> {
        double[] a = s.values;
        for (int i = 0; i < a.length; i++) {
          if (Points.isPresent(a[i])) {
            a[i] = math.applyAsDouble(a[i]);
          }
        }
        s.dropName = true;
        return sink.accept(s);
      });
      return true;
    }
    return false;
  }

  List<StepSeries> rangeFunction(RangeFunction fn, Plan.Call c, Grid g) {
    List<StepSeries> out = new ArrayList<>();
    rangeFunction(fn, c, g, SeriesSink.into(out));
    if (fn == RangeFunction.ABSENT_OVER_TIME) {
      Plan matrixArg = null;
      for (Plan a : c.args()) {
        if (Functions.unwrapParens(a).type() == Plan.Type.MATRIX) {
          matrixArg = Functions.unwrapParens(a);
        }
      }
      return absentOverTime(out, matrixArg, g.steps());
    }
    return out;
  }

  /** Evaluates a range-vector function, streaming one output series at a time into the sink. */
  private void rangeFunction(RangeFunction fn, Plan.Call c, Grid g, SeriesSink sink) {
    int matrixIndex = -1;
    for (int i = 0; i < c.args().size(); i++) {
      if (Functions.unwrapParens(c.args().get(i)).type() == Plan.Type.MATRIX) {
        matrixIndex = i;
        break;
      }
    }
    Plan matrixArg = Functions.unwrapParens(c.args().get(matrixIndex));
    double[] p0 = null;
    double[] p1 = null;
    Plan p0Expr = null;
    for (int i = 0, k = 0; i < c.args().size(); i++) {
      if (i == matrixIndex) {
        continue;
      }
      double[] v = ev.evalScalar(c.args().get(i), g);
      if (k == 0) {
        p0 = v;
        p0Expr = c.args().get(i);
      } else {
        p1 = v;
      }
      k++;
    }
    int steps = g.steps();
    long range;
    long offset;
    Plan.At at;
    List<RawSeries> subqueryResult = null;
    SeriesSet set = null;
    long loadMin = 0;
    long loadMax = 0;
    boolean anchored = false;
    boolean smoothed = false;
    if (matrixArg instanceof Plan.RangeSelector rs) {
      range = rs.rangeMillis();
      offset = rs.selector().offsetMillis();
      at = rs.selector().at();
      anchored = rs.selector().anchored();
      smoothed = rs.selector().smoothed();
      checkExtendedAllowed(fn, anchored, smoothed);
      loadMax = ev.atTime(at, g.end()) - offset + (smoothed ? ev.lookbackMillis : 0);
      loadMin = ev.atTime(at, g.start()) - offset - range + 1 - (anchored || smoothed ? ev.lookbackMillis : 0);
      set = ev.select(rs.selector(), loadMin, loadMax, g.interval(), range, fn.promqlName);
    } else {
      Plan.Subquery sq = (Plan.Subquery) matrixArg;
      range = sq.rangeMillis();
      offset = sq.offsetMillis();
      at = sq.at();
      subqueryResult = ev.subquery(sq, g);
    }
    boolean pinned = at.isSet();
    // With @ every step reads the same window; the value repeats unless it depends on the step.
    boolean cacheable = pinned && p0 == null && p1 == null && fn != RangeFunction.PREDICT_LINEAR;
    double[] reuse = null;
    double[] scratch = new double[64];
    boolean counterKernel = (fn == RangeFunction.RATE || fn == RangeFunction.INCREASE) && !anchored && !smoothed;
    int[] resetsBefore = new int[counterKernel ? 256 : 0];
    SampleBuffer buf = ev.buffer;
    int subIndex = 0;
    boolean counterInfo = fn == RangeFunction.RATE || fn == RangeFunction.INCREASE;
    while (true) {
      ev.control.check();
      Labels labels;
      boolean inputDropsName = false;
      long[] ts;
      double[] vs;
      int n;
      if (set != null) {
        if (!set.next()) {
          break;
        }
        Series s = set.at();
        buf.load(s, loadMin, loadMax, true);
        labels = s.labels();
        ts = buf.ts;
        vs = buf.vs;
        n = buf.count;
      } else {
        if (subIndex >= subqueryResult.size()) {
          break;
        }
        RawSeries r = subqueryResult.get(subIndex++);
        labels = r.labels();
        inputDropsName = r.dropName();
        ts = r.ts();
        vs = r.vs();
        n = r.count();
      }
      if (n == 0) {
        continue;
      }
      ev.control.addSamples(n);
      // For counters, count drops once per series so windows without one skip the reset scan.
      if (counterKernel) {
        if (resetsBefore.length < n) {
          resetsBefore = new int[Math.max(n, resetsBefore.length * 2)];
        }
        int r = 0;
        resetsBefore[0] = 0;
        for (int k = 1; k < n; k++) {
          if (vs[k] < vs[k - 1]) {
            r++;
          }
          resetsBefore[k] = r;
        }
      }
      if (scratch.length < n) {
        scratch = new double[Math.max(n, scratch.length * 2)];
      }
      double[] values = reuse != null ? reuse : new double[steps];
      reuse = null;
      int present = 0;
      int lo = 0;
      int hi = 0;
      double pinnedValue = Points.ABSENT;
      boolean pinnedDone = false;
      for (int i = 0; i < steps; i++) {
        long t = g.time(i);
        long wEnd = (pinned ? ev.atTime(at, t) : t) - offset;
        long wStart = wEnd - range;
        double v;
        if (cacheable && pinnedDone) {
          v = pinnedValue;
        } else {
          long loadEnd = smoothed ? wEnd + ev.lookbackMillis : wEnd;
          long loadStart = anchored || smoothed ? wStart - ev.lookbackMillis : wStart;
          while (hi < n && ts[hi] <= loadEnd) {
            hi++;
          }
          while (lo < hi && ts[lo] <= loadStart) {
            lo++;
          }
          if (hi - lo == 0) {
            v = Points.ABSENT;
          } else if (anchored || smoothed) {
            v = extended(fn, ts, vs, lo, hi, wStart, wEnd, smoothed);
          } else {
            double a = p0 == null ? Double.NaN : p0[i];
            double b = p1 == null ? Double.NaN : p1[i];
            if (counterKernel) {
              v = RangeFunction.extrapolatedRate(ts, vs, lo, hi, wStart, wEnd, true,
                  fn == RangeFunction.RATE, resetsBefore[hi - 1] != resetsBefore[lo]);
            } else {
              validateParams(fn, a, b, p0Expr);
              v = fn.apply(ts, vs, lo, hi, wStart, wEnd, t, a, b, scratch);
            }
          }
          pinnedValue = v;
          pinnedDone = true;
        }
        values[i] = v;
        if (Points.isPresent(v)) {
          present++;
        }
      }
      ev.control.releaseSamples(n);
      if (present > 0) {
        ev.control.addSamples(present);
        if (!sink.accept(new StepSeries(labels, fn.dropsName || inputDropsName, values))) {
          reuse = values;
        }
        if (counterInfo) {
          String metric = labels.metricName();
          if (metric != null && !metric.endsWith("_total") && !metric.endsWith("_sum")
              && !metric.endsWith("_count") && !metric.endsWith("_bucket")) {
            ev.annotations.info(
                "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \""
                    + metric + "\"",
                c.args().get(matrixIndex).pos());
          }
        }
      } else {
        reuse = values;
      }
    }
  }

  private static final String ANCHORED_FUNCTIONS = "changes, delta, increase, rate, resets";
  private static final String SMOOTHED_FUNCTIONS = "delta, increase, rate";

  private static void checkExtendedAllowed(RangeFunction fn, boolean anchored, boolean smoothed) {
    if (anchored && !java.util.List.of(ANCHORED_FUNCTIONS.split(", ")).contains(fn.promqlName)) {
      throw new ExecutionException("anchored modifier can only be used with: " + ANCHORED_FUNCTIONS
          + " - not with " + fn.promqlName);
    }
    if (smoothed && !java.util.List.of(SMOOTHED_FUNCTIONS.split(", ")).contains(fn.promqlName)) {
      throw new ExecutionException("smoothed modifier can only be used with: " + SMOOTHED_FUNCTIONS
          + " - not with " + fn.promqlName);
    }
  }

  private static double extended(
      RangeFunction fn, long[] ts, double[] vs, int lo, int hi, long wStart, long wEnd, boolean smoothed) {
    switch (fn) {
      case RATE:
        return ExtendedRange.rate(ts, vs, lo, hi, wStart, wEnd, smoothed, true, true);
      case INCREASE:
        return ExtendedRange.rate(ts, vs, lo, hi, wStart, wEnd, smoothed, true, false);
      case DELTA:
        return ExtendedRange.rate(ts, vs, lo, hi, wStart, wEnd, smoothed, false, false);
      case CHANGES:
      case RESETS: {
        int first = ExtendedRange.anchoredFirst(ts, lo, hi, wStart);
        if (first < 0) {
          return Points.ABSENT;
        }
        return fn.apply(ts, vs, first, hi, wStart, wEnd, wEnd, Double.NaN, Double.NaN, null);
      }
      default:
        throw new IllegalStateException("unexpected extended range function " + fn);
    }
  }

  private void validateParams(RangeFunction fn, double a, double b, Plan p0Expr) {
    switch (fn) {
      case QUANTILE_OVER_TIME:
        if (Double.isNaN(a) || a < 0 || a > 1) {
          ev.annotations.warn(
              "quantile value should be between 0 and 1, got " + GoFormat.g(a), p0Expr.pos());
        }
        break;
      case DOUBLE_EXPONENTIAL_SMOOTHING:
        if (a <= 0 || a >= 1 || Double.isNaN(a)) {
          throw new ExecutionException(
              "invalid smoothing factor. Expected: 0 < sf < 1, got: " + GoFormat.f6(a));
        }
        if (b <= 0 || b >= 1 || Double.isNaN(b)) {
          throw new ExecutionException(
              "invalid trend factor. Expected: 0 < tf < 1, got: " + GoFormat.f6(b));
        }
        break;
      default:
        break;
    }
  }

  private List<StepSeries> absentOverTime(List<StepSeries> found, Plan matrixArg, int steps) {
    for (StepSeries s : found) {
      if (s.presentCount() == steps) {
        return new ArrayList<>();
      }
    }
    double[] values = new double[steps];
    int present = 0;
    for (int i = 0; i < steps; i++) {
      boolean any = false;
      for (StepSeries s : found) {
        if (Points.isPresent(s.values[i])) {
          any = true;
          break;
        }
      }
      values[i] = any ? Points.ABSENT : 1;
      if (!any) {
        present++;
      }
    }
    release(found);
    List<StepSeries> out = new ArrayList<>(1);
    if (present > 0) {
      out.add(new StepSeries(Functions.labelsForAbsent(matrixArg), true, values));
      ev.control.addSamples(present);
    }
    return out;
  }


  private void release(List<StepSeries> vec) {
    long n = 0;
    for (StepSeries s : vec) {
      n += s.presentCount();
    }
    ev.control.releaseSamples(n);
  }
}
