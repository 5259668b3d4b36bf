package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.HistogramPool;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
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
        s.dropHistograms();
        if (s.isEmpty()) {
          return false;
        }
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
    Windows w = new Windows(fn, c, g, sink, c.args().get(matrixIndex).pos());
    w.compactRates = ev.summedRangeCall != c;
    ev.summedRangeCall = null;
    for (int i = 0, k = 0; i < c.args().size(); i++) {
      if (i == matrixIndex) {
        continue;
      }
      double[] v = ev.evalScalar(c.args().get(i), g);
      if (k == 0) {
        w.p0 = v;
        w.p0Expr = c.args().get(i);
      } else {
        w.p1 = v;
      }
      k++;
    }
    if (matrixArg instanceof Plan.RangeSelector rs) {
      w.range = rs.rangeMillis();
      w.offset = rs.selector().offsetMillis();
      w.at = rs.selector().at();
      w.anchored = rs.selector().anchored();
      w.smoothed = rs.selector().smoothed();
      checkExtendedAllowed(fn, w.anchored, w.smoothed);
      w.prepare();
      long loadMax = ev.atTime(w.at, g.end()) - w.offset + (w.smoothed ? ev.lookbackMillis : 0);
      long loadMin = ev.atTime(w.at, g.start()) - w.offset - w.range + 1
          - (w.anchored || w.smoothed ? ev.lookbackMillis : 0);
      SeriesSet set = ev.select(rs.selector(), loadMin, loadMax, g.interval(), w.range, fn.promqlName);
      // Functions whose results never are an input sample's histogram can read into reused ones.
      ev.buffer.reuseHistograms = w.computesNewHistograms();
      try {
        ev.loader.forEach(set, loadMin, loadMax, true, ev.statsSelectors.contains(rs.selector()), ev.buffer,
            ev.control, w.kernels(), (s, buf, computed) -> {
              if (buf.hcount > 0) {
                w.mixedSeries(s.labels(), false, buf.ts, buf.vs, buf.count, buf.hts, buf.hs, buf.hcount);
              } else if (computed != null) {
                w.computed(s.labels(), buf.count, computed);
              } else {
                w.series(s.labels(), false, buf.ts, buf.vs, buf.count);
              }
            });
      } finally {
        ev.buffer.reuseHistograms = false;
      }
      return;
    }
    Plan.Subquery sq = (Plan.Subquery) matrixArg;
    w.range = sq.rangeMillis();
    w.offset = sq.offsetMillis();
    w.at = sq.at();
    w.prepare();
    Grid inner = ev.subqueryGrid(sq, g);
    if (inner.end() < inner.start()) {
      return;
    }
    // The subquery's series are consumed one at a time as the inner expression produces them.
    SampleBuffer points = new SampleBuffer();
    ev.stream(sq.expr(), inner, s -> {
      ev.control.check();
      if (s.hasHistograms()) {
        RawSeries raw = ev.toRaw(s, inner);
        ev.control.releaseSamples(raw.count() + raw.hcount());
        w.mixedSeries(s.labels, s.dropName, raw.ts(), raw.vs(), raw.count(), raw.hts(), raw.hs(), raw.hcount());
        // An output histogram may be one of the inner series' (last_over_time): then it is kept.
        return !w.computesNewHistograms();
      }
      double[] vals = s.values;
      int n = 0;
      for (int i = 0; i < vals.length; i++) {
        if (Points.isPresent(vals[i])) {
          n++;
        }
      }
      points.ensureCapacity(n);
      int k = 0;
      for (int i = 0; i < vals.length; i++) {
        if (Points.isPresent(vals[i])) {
          points.ts[k] = inner.time(i);
          points.vs[k] = vals[i];
          k++;
        }
      }
      ev.control.releaseSamples(n);
      w.series(s.labels, s.dropName, points.ts, points.vs, n);
      return false;
    });
  }

  /** The per-call state of a range function: parameters, window shape and reused buffers. */
  private final class Windows {
    final RangeFunction fn;
    final Plan.Call call;
    final Grid g;
    final SeriesSink sink;
    final int matrixPos;
    double[] p0;
    double[] p1;
    Plan p0Expr;
    long range;
    long offset;
    Plan.At at;
    boolean anchored;
    boolean smoothed;
    boolean pinned;
    boolean cacheable;
    boolean counterKernel;
    boolean counterInfo;
    /** Output arrays no operator kept, for the next series. */
    final SpareArrays spare;
    double[] scratch = new double[64];
    /** The histogram windows of this call, created with its first histogram series. */
    HistogramRangeFunctions hf;
    /** Histogram results of series no operator kept, refilled for the next series. */
    final HistogramPool histogramPool = new HistogramPool();
    /** A per-step histogram array no operator kept (all null), for the next series. */
    FloatHistogram[] spareHists;
    /** Whether rate/increase/delta results may stay uncompacted (the consumer sums and compacts). */
    boolean compactRates = true;

    Windows(RangeFunction fn, Plan.Call call, Grid g, SeriesSink sink, int matrixPos) {
      this.fn = fn;
      this.call = call;
      this.g = g;
      this.sink = sink;
      this.matrixPos = matrixPos;
      this.spare = new SpareArrays(g.steps());
    }

    void prepare() {
      pinned = at.isSet();
      // With @ every step reads the same window; the value repeats unless it depends on the step.
      cacheable = pinned && p0 == null && p1 == null && fn != RangeFunction.PREDICT_LINEAR;
      counterKernel = (fn == RangeFunction.RATE || fn == RangeFunction.INCREASE) && !anchored && !smoothed;
      counterInfo = fn == RangeFunction.RATE || fn == RangeFunction.INCREASE;
    }

    /**
     * Whether every histogram this call outputs is newly computed, never one of the input samples
     * (so the samples' histograms may be reused once the series is done).
     */
    boolean computesNewHistograms() {
      if (anchored || smoothed) {
        return false;
      }
      return switch (fn) {
        case RATE, INCREASE, DELTA, IRATE, IDELTA, RESETS, CHANGES, COUNT_OVER_TIME -> true;
        default -> false;
      };
    }

    /**
     * Computes the function at every step for one series holding histogram samples ({@code hts},
     * {@code hs}, {@code hn} of them) besides its floats.
     */
    void mixedSeries(
        Labels labels, boolean inputDropsName, long[] ts, double[] vs, int n, long[] hts, FloatHistogram[] hs,
        int hn) {
      int steps = g.steps();
      ev.control.addSamples(n + hn);
      if (scratch.length < n) {
        scratch = new double[Math.max(n, scratch.length * 2)];
      }
      if (hf == null) {
        hf = new HistogramRangeFunctions(ev.annotations, matrixPos);
      }
      hf.startSeries();
      ExtendedHistogramRange extendedHist = new ExtendedHistogramRange(ev.annotations, matrixPos);
      boolean recycle = computesNewHistograms();
      hf.pool = recycle ? histogramPool : null;
      hf.compactRates = compactRates;
      double[] values = spare.take();
      java.util.Arrays.fill(values, Points.ABSENT);
      FloatHistogram[] hists = spareHists != null ? spareHists : new FloatHistogram[steps];
      spareHists = null;
      String metric = labels.getOrEmpty(Labels.METRIC_NAME);
      int present = 0;
      int lo = 0;
      int hi = 0;
      int hlo = 0;
      int hhi = 0;
      boolean floatsSeen = false;
      for (int i = 0; i < steps; i++) {
        long t = g.time(i);
        long wEnd = (pinned ? ev.atTime(at, t) : t) - offset;
        long wStart = wEnd - range;
        long loadEnd = smoothed ? wEnd + ev.lookbackMillis : wEnd;
        long loadStart = anchored || smoothed ? wStart - ev.lookbackMillis : wStart;
        while (hi < n && ts[hi] <= loadEnd) {
          hi++;
        }
        while (lo < hi && ts[lo] <= loadStart) {
          lo++;
        }
        while (hhi < hn && hts[hhi] <= loadEnd) {
          hhi++;
        }
        while (hlo < hhi && hts[hlo] <= loadStart) {
          hlo++;
        }
        if (hi - lo == 0 && hhi - hlo == 0) {
          continue;
        }
        floatsSeen |= hi > lo;
        if (anchored && (fn == RangeFunction.RESETS || fn == RangeFunction.CHANGES)) {
          // The anchor is the newest sample, of either kind, at or before the window start.
          int fa = lo;
          while (fa < hi && ts[fa] <= wStart) {
            fa++;
          }
          int ha = hlo;
          while (ha < hhi && hts[ha] <= wStart) {
            ha++;
          }
          if (fa < hi || ha < hhi) {
            if (fa > lo && (ha == hlo || ts[fa - 1] > hts[ha - 1])) {
              fa--;
            } else if (ha > hlo) {
              ha--;
            }
            values[i] = HistogramRangeFunctions.resetsOrChanges(
                fn == RangeFunction.RESETS, ts, vs, fa, hi, hts, hs, ha, hhi);
          }
        } else if (anchored || smoothed) {
          if (hhi - hlo == 0) {
            values[i] = extended(fn, ts, vs, lo, hi, wStart, wEnd, smoothed);
          } else if (hi - lo > 0) {
            ev.annotations.warn("encountered a mix of histograms and floats for metric name \"" + metric + "\"",
                matrixPos);
          } else {
            hists[i] = extendedHist.rate(hts, hs, hlo, hhi, wStart, wEnd, smoothed, fn != RangeFunction.DELTA,
                fn == RangeFunction.RATE, metric);
          }
        } else {
          double a = p0 == null ? Double.NaN : p0[i];
          double b = p1 == null ? Double.NaN : p1[i];
          validateParams(fn, a, b, p0Expr);
          hf.compute(fn, ts, vs, lo, hi, hts, hs, hlo, hhi, wStart, wEnd, t, a, b, scratch, metric);
          if (hf.hist != null) {
            hists[i] = hf.hist;
          } else {
            values[i] = hf.value;
          }
        }
        if (Points.isPresent(values[i]) || hists[i] != null) {
          present++;
        }
      }
      ev.control.releaseSamples(n + hn);
      if (present == 0) {
        spare.give(values);
        spareHists = hists;
        return;
      }
      ev.control.addSamples(present);
      if (!sink.accept(new StepSeries(labels, fn.dropsName || inputDropsName, values, hists))) {
        // The consumer only read this series: its arrays and histograms serve the next one.
        spare.give(values);
        if (recycle) {
          for (int i = 0; i < steps; i++) {
            if (hists[i] != null) {
              histogramPool.recycle(hists[i]);
              hists[i] = null;
            }
          }
          spareHists = hists;
        }
      }
      if (counterInfo && floatsSeen) {
        String m = labels.metricName();
        if (m != null && !m.endsWith("_total") && !m.endsWith("_sum")
            && !m.endsWith("_count") && !m.endsWith("_bucket")) {
          ev.annotations.info(
              "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \""
                  + m + "\"",
              matrixPos);
        }
      }
    }

    /**
     * Kernels that compute float series on the loader's worker threads, or null when this call's
     * windows must be computed on the query's thread (the function checks its parameters per step,
     * which may warn or fail).
     */
    java.util.function.Supplier<SeriesLoader.Kernel<StepValues>> kernels() {
      if (!ev.loader.parallel() || fn == RangeFunction.QUANTILE_OVER_TIME
          || fn == RangeFunction.DOUBLE_EXPONENTIAL_SMOOTHING) {
        return null;
      }
      return () -> {
        FloatWindows windows = new FloatWindows(true);
        return (s, buf) -> {
          if (buf.hcount > 0 || buf.count == 0) {
            return null;
          }
          double[] values = spare.take();
          int present = windows.compute(buf.ts, buf.vs, buf.count, values);
          return new StepValues(values, present);
        };
      };
    }

    /** Computes the function at every step for one series' samples {@code [0, n)}. */
    void series(Labels labels, boolean inputDropsName, long[] ts, double[] vs, int n) {
      if (n == 0) {
        return;
      }
      ev.control.addSamples(n);
      double[] values = spare.take();
      int present = own.compute(ts, vs, n, values);
      emit(labels, inputDropsName, n, values, present);
    }

    /** Takes one series' output computed by a kernel from its {@code n} samples. */
    void computed(Labels labels, int n, StepValues computed) {
      ev.control.addSamples(n);
      emit(labels, false, n, computed.values(), computed.present());
    }

    /** Releases a series' n input samples and hands its output to the sink, in that order. */
    private void emit(Labels labels, boolean inputDropsName, int n, double[] values, int present) {
      ev.control.releaseSamples(n);
      if (present == 0) {
        spare.give(values);
        return;
      }
      ev.control.addSamples(present);
      if (!sink.accept(new StepSeries(labels, fn.dropsName || inputDropsName, values))) {
        spare.give(values);
      }
      if (counterInfo) {
        String metric = labels.metricName();
        if (metric != null && !metric.endsWith("_total") && !metric.endsWith("_sum")
            && !metric.endsWith("_count") && !metric.endsWith("_bucket")) {
          ev.annotations.info(
              "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \""
                  + metric + "\"",
              matrixPos);
        }
      }
    }

    /** The windows of this call as one thread computes them, with that thread's scratch arrays. */
    private final FloatWindows own = new FloatWindows(false);

    /**
     * Slides this call's window over one float series and applies the kernel at every step. Reads
     * only the call's settings, which do not change once evaluation starts, and its own scratch
     * arrays; one instance per thread.
     */
    final class FloatWindows {
      private final boolean concurrent;
      private double[] scratch = new double[64];
      private int[] resetsBefore = new int[0];

      FloatWindows(boolean concurrent) {
        this.concurrent = concurrent;
      }

      /** Fills {@code values} with the function at every step; returns how many are present. */
      int compute(long[] ts, double[] vs, int n, double[] values) {
        int steps = g.steps();
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
        if (counterKernel && !pinned) {
          return counterSteps(ts, vs, n, values, steps);
        }
        int present = 0;
        int lo = 0;
        int hi = 0;
        double pinnedValue = Points.ABSENT;
        boolean pinnedDone = false;
        for (int i = 0; i < steps; i++) {
          if ((i & 255) == 255) {
            if (concurrent) {
              ev.control.checkConcurrent();
            } else {
              ev.control.check();
            }
          }
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
            } else if (counterKernel) {
              v = RangeFunction.extrapolatedRate(ts, vs, lo, hi, wStart, wEnd, true,
                  fn == RangeFunction.RATE, resetsBefore[hi - 1] != resetsBefore[lo]);
            } else {
              double a = p0 == null ? Double.NaN : p0[i];
              double b = p1 == null ? Double.NaN : p1[i];
              validateParams(fn, a, b, p0Expr);
              v = fn.apply(ts, vs, lo, hi, wStart, wEnd, t, a, b, scratch);
            }
            pinnedValue = v;
            pinnedDone = true;
          }
          values[i] = v;
          if (Points.isPresent(v)) {
            present++;
          }
        }
        return present;
      }

      /**
       * {@code rate} or {@code increase} without {@code @}, anchored or smoothed windows: the same
       * values as the general loop, with the window's length in seconds computed once per series
       * and the cancellation and deadline checked once per {@link #CHECK_STEPS} steps, outside the
       * loop over those steps.
       */
      private int counterSteps(long[] ts, double[] vs, int n, double[] values, int steps) {
        boolean isRate = fn == RangeFunction.RATE;
        double rangeSeconds = (double) range / 1000;
        int[] resets = resetsBefore;
        int present = 0;
        int lo = 0;
        int hi = 0;
        for (int first = 0; first < steps; first += CHECK_STEPS) {
          if (first > 0) {
            if (concurrent) {
              ev.control.checkConcurrent();
            } else {
              ev.control.check();
            }
          }
          int last = Math.min(steps, first + CHECK_STEPS);
          for (int i = first; i < last; i++) {
            long wEnd = g.time(i) - offset;
            long wStart = wEnd - range;
            while (hi < n && ts[hi] <= wEnd) {
              hi++;
            }
            while (lo < hi && ts[lo] <= wStart) {
              lo++;
            }
            double v = hi - lo < 2 ? Points.ABSENT
                : RangeFunction.counterRate(ts, vs, lo, hi, wStart, wEnd, rangeSeconds, isRate,
                    resets[hi - 1] != resets[lo]);
            values[i] = v;
            if (Points.isPresent(v)) {
              present++;
            }
          }
        }
        return present;
      }
    }
  }

  /** Steps of one series computed between two checks of the query's cancellation and deadline. */
  static final int CHECK_STEPS = 256;

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
              "quantile value should be between 0 and 1, got " + GoFloats.format(a, Notation.V), p0Expr.pos());
        }
        break;
      case DOUBLE_EXPONENTIAL_SMOOTHING:
        if (a <= 0 || a >= 1 || Double.isNaN(a)) {
          throw new ExecutionException(
              "invalid smoothing factor. Expected: 0 < sf < 1, got: " + GoFloats.formatFloat(a, 'f', 6));
        }
        if (b <= 0 || b >= 1 || Double.isNaN(b)) {
          throw new ExecutionException(
              "invalid trend factor. Expected: 0 < tf < 1, got: " + GoFloats.formatFloat(b, 'f', 6));
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
