package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.promql.ExecutionException;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates a {@link Plan} over a {@link Grid} of steps, the way Prometheus's range evaluation
 * does: every node yields a {@link StepValue}, its value at every step. Instant vectors are lists
 * of {@link StepSeries} (dense per-step arrays), scalars are {@code double[]} per step, and range
 * vectors ({@code sel[d]}, subqueries) are lists of {@link RawSeries}.
 * Series are read from the querier one at a time into a reusable buffer.
 *
 * <p>One instance evaluates one query, or one operand of a binary operator evaluated alongside
 * the rest ({@link BinaryOperands}, on a {@link #sibling}), on one thread at a time. Large
 * selections are decoded in parallel by its {@link SeriesLoader}, which also computes each float
 * series' per-step values there for instant selectors and range functions (they depend on that
 * series alone); everything that combines series, counts samples or records annotations runs on
 * the evaluator's thread, in order.
 */
final class Evaluator {

  final Querier querier;
  final QueryControl control;
  final Annotations annotations;
  final long lookbackMillis;
  final long queryStart;
  final long queryEnd;
  /** The query's step in milliseconds, 0 for instant queries. */
  final long queryStep;
  /** Step of subqueries written without one. */
  final long defaultSubqueryStep;
  final SampleBuffer buffer = new SampleBuffer();
  /** Selectors read as Prometheus's HistogramStatsIterator reads them (see HistogramStatsSelectors). */
  java.util.Set<Plan.Selector> statsSelectors = java.util.Set.of();
  /**
   * Set by a sum or avg aggregation just before it streams a rate/increase/delta call: the call
   * may hand over its histogram results uncompacted, since the aggregation compacts its sum. The
   * range function clears it when it starts.
   */
  Plan.Call summedRangeCall;
  /** Reads selections, in parallel for large ones. */
  final SeriesLoader loader;
  private final Functions functions;
  private final BinaryOperators binary;
  private final Aggregations aggregations;

  Evaluator(
      Querier querier, QueryControl control, Annotations annotations, long lookbackMillis,
      long queryStart, long queryEnd, long queryStep, long defaultSubqueryStep, SeriesLoader loader) {
    this.loader = loader;
    this.querier = querier;
    this.control = control;
    this.annotations = annotations;
    this.lookbackMillis = lookbackMillis;
    this.queryStart = queryStart;
    this.queryEnd = queryEnd;
    this.queryStep = queryStep;
    this.defaultSubqueryStep = defaultSubqueryStep;
    this.functions = new Functions(this);
    this.binary = new BinaryOperators(this);
    this.aggregations = new Aggregations(this);
  }

  /**
   * An evaluator of the same query over the same querier that counts samples on {@code control}
   * and records annotations in {@code annotations}: it evaluates part of the query on another
   * thread, with its own buffer and state.
   */
  Evaluator sibling(QueryControl control, Annotations annotations) {
    Evaluator e = new Evaluator(querier, control, annotations, lookbackMillis, queryStart, queryEnd, queryStep,
        defaultSubqueryStep, loader);
    e.statsSelectors = statsSelectors;
    return e;
  }

  /** Evaluates an expression of type vector over the grid. */
  List<StepSeries> evalVector(Plan p, Grid g) {
    return vector(p, eval(p, g));
  }

  /** Evaluates an expression of type scalar over the grid. */
  double[] evalScalar(Plan p, Grid g) {
    return scalar(p, eval(p, g));
  }

  /** The series of {@code v}, the value of {@code p}, an expression of type vector. */
  static List<StepSeries> vector(Plan p, StepValue v) {
    if (v instanceof StepValue.InstantSteps vec) {
      return vec.series();
    }
    throw typeBug(p, "an instant vector", v);
  }

  /** The per-step values of {@code v}, the value of {@code p}, an expression of type scalar. */
  static double[] scalar(Plan p, StepValue v) {
    if (v instanceof StepValue.ScalarSteps scalar) {
      return scalar.values();
    }
    throw typeBug(p, "a scalar", v);
  }

  private static IllegalStateException typeBug(Plan p, String expected, StepValue got) {
    return new IllegalStateException(
        "BUG: plan node " + p + " should yield " + expected + " but yielded " + got.getClass().getSimpleName());
  }

  /** Evaluates any expression to the value of its {@link Plan#type() type}. */
  StepValue eval(Plan p, Grid g) {
    control.check();
    if (g.end() < g.start()) {
      switch (p.type()) {
        case SCALAR:
          return new StepValue.ScalarSteps(new double[0]);
        case VECTOR:
          return new StepValue.InstantSteps(new ArrayList<>());
        case MATRIX:
          return new StepValue.RangeSteps(new ArrayList<>());
        default:
          break;
      }
    }
    if (p instanceof Plan.NumberLiteral n) {
      double[] v = new double[g.steps()];
      Arrays.fill(v, n.value());
      return new StepValue.ScalarSteps(v);
    }
    if (p instanceof Plan.StringLiteral s) {
      return new StepValue.StringSteps(s.value());
    }
    if (p instanceof Plan.Paren paren) {
      return eval(paren.expr(), g);
    }
    if (p instanceof Plan.Negate neg) {
      return negate(neg, g);
    }
    if (p instanceof Plan.Selector sel) {
      return new StepValue.InstantSteps(selectInstant(sel, g, false));
    }
    if (p instanceof Plan.RangeSelector rs) {
      return new StepValue.RangeSteps(selectRange(rs, g));
    }
    if (p instanceof Plan.Subquery sq) {
      return new StepValue.RangeSteps(subquery(sq, g));
    }
    if (p instanceof Plan.Call c) {
      return functions.call(c, g);
    }
    if (p instanceof Plan.Binary b) {
      return binary.eval(b, g);
    }
    if (p instanceof Plan.Aggregate a) {
      return new StepValue.InstantSteps(aggregations.eval(a, g));
    }
    throw new IllegalStateException("BUG: unhandled plan node " + p);
  }

  private StepValue negate(Plan.Negate neg, Grid g) {
    if (neg.type() == Plan.Type.SCALAR) {
      double[] scalar = evalScalar(neg.expr(), g);
      for (int i = 0; i < scalar.length; i++) {
        scalar[i] = -scalar[i];
      }
      return new StepValue.ScalarSteps(scalar);
    }
    List<StepSeries> vec = evalVector(neg.expr(), g);
    for (StepSeries s : vec) {
      double[] a = s.values;
      for (int i = 0; i < a.length; i++) {
        if (Points.isPresent(a[i])) {
          a[i] = -a[i];
        } else if (s.hist(i) != null) {
          s.hists[i] = s.hists[i].copy().mul(-1);
        }
      }
      s.dropName = true;
    }
    return new StepValue.InstantSteps(vec);
  }

  /** Resolves an {@code @} modifier to a time, or returns {@code fallback} when there is none. */
  long atTime(Plan.At at, long fallback) {
    return at.isSet() ? at.resolve(queryStart, queryEnd) : fallback;
  }

  SeriesSet select(Plan.Selector sel, long mint, long maxt, long step, long range, String func) {
    SelectHints hints = new SelectHints(mint, maxt, step, range, func, List.of(), false);
    SeriesSet set = querier.select(false, hints, sel.matchers().toArray(new LabelMatcher[0]));
    return new SeriesSet() {
      @Override
      public boolean next() {
        if (set.next()) {
          return true;
        }
        set.warnings().forEach(annotations::storageWarning);
        return false;
      }

      @Override
      public dev.kiln.tsdb.storage.Series at() {
        return set.at();
      }
    };
  }

  /**
   * Evaluates an instant vector selector: per step the newest sample in (t - lookback, t], none
   * when that sample is a stale marker.
   *
   * @param timestamps when true the values are the sample timestamps in seconds (for {@code
   *     timestamp()}) and the series drop their metric name
   */
  List<StepSeries> selectInstant(Plan.Selector sel, Grid g, boolean timestamps) {
    List<StepSeries> out = new ArrayList<>();
    selectInstant(sel, g, timestamps, SeriesSink.into(out));
    return out;
  }

  /** Streams the series of an instant vector selector into a sink. */
  void selectInstant(Plan.Selector sel, Grid g, boolean timestamps, SeriesSink sink) {
    if (sel.smoothed() && !timestamps) {
      selectSmoothed(sel, g, sink);
      return;
    }
    int steps = g.steps();
    boolean pinned = sel.at().isSet();
    long firstRef = atTime(sel.at(), g.start()) - sel.offsetMillis();
    long lastRef = atTime(sel.at(), g.end()) - sel.offsetMillis();
    long mint = firstRef - lookbackMillis + 1;
    SeriesSet set = select(sel, mint, lastRef, g.interval(), 0, "");
    SpareArrays spare = new SpareArrays(steps);
    java.util.function.Supplier<SeriesLoader.Kernel<StepValues>> kernels = !loader.parallel() ? null
        : () -> (s, buf) -> buf.hcount > 0 || buf.count == 0 ? null
            : instantValues(sel, g, timestamps, buf, firstRef, pinned, spare.take());
    loader.forEach(set, mint, lastRef, false, statsSelectors.contains(sel), buffer, control, kernels,
        (s, buf, computed) -> {
          if (buf.count == 0 && buf.hcount == 0) {
            return;
          }
          if (buf.hcount > 0) {
            StepSeries mixed = selectMixed(sel, g, timestamps, buf, firstRef, pinned, s.labels());
            if (mixed != null) {
              control.addSamples(mixed.presentCount());
              sink.accept(mixed);
            }
            return;
          }
          if (computed == null) {
            computed = instantValues(sel, g, timestamps, buf, firstRef, pinned, spare.take());
          }
          double[] values = computed.values();
          if (computed.present() > 0) {
            control.addSamples(computed.present());
            if (!sink.accept(new StepSeries(s.labels(), timestamps, values))) {
              spare.give(values);
            }
          } else {
            spare.give(values);
          }
        });
  }

  /**
   * The values of an instant selector for one float series at every step: the newest sample in
   * the lookback window, none when it is a stale marker. Reads only its arguments (safe on worker
   * threads); fills {@code values}.
   */
  private StepValues instantValues(
      Plan.Selector sel, Grid g, boolean timestamps, SampleBuffer buf, long firstRef, boolean pinned,
      double[] values) {
    int steps = g.steps();
    int present = 0;
    int j = -1;
    long[] ts = buf.ts;
    double[] vs = buf.vs;
    int n = buf.count;
    if (pinned) {
      while (j + 1 < n && ts[j + 1] <= firstRef) {
        j++;
      }
      double v = Points.ABSENT;
      if (j >= 0 && ts[j] > firstRef - lookbackMillis && !StaleNaN.is(vs[j])) {
        v = timestamps ? ts[j] / 1000.0 : vs[j];
      }
      Arrays.fill(values, v);
      present = Points.isPresent(v) ? steps : 0;
    } else {
      long offset = sel.offsetMillis();
      for (int i = 0; i < steps; i++) {
        long ref = g.time(i) - offset;
        while (j + 1 < n && ts[j + 1] <= ref) {
          j++;
        }
        if (j >= 0 && ts[j] > ref - lookbackMillis && !StaleNaN.is(vs[j])) {
          values[i] = timestamps ? ts[j] / 1000.0 : vs[j];
          present++;
        } else {
          values[i] = Points.ABSENT;
        }
      }
    }
    return new StepValues(values, present);
  }

  /**
   * Instant selection for a series holding histogram samples: per step the newest sample, float
   * or histogram, in the lookback window; none when it is a stale marker.
   */
  private StepSeries selectMixed(
      Plan.Selector sel, Grid g, boolean timestamps, SampleBuffer buf, long firstRef, boolean pinned,
      Labels labels) {
    int steps = g.steps();
    double[] values = Points.absentArray(steps);
    FloatHistogram[] hists = timestamps ? null : new FloatHistogram[steps];
    int present = 0;
    int j = -1;
    int k = -1;
    for (int i = 0; i < steps; i++) {
      long ref = pinned ? firstRef : g.time(i) - sel.offsetMillis();
      while (j + 1 < buf.count && buf.ts[j + 1] <= ref) {
        j++;
      }
      while (k + 1 < buf.hcount && buf.hts[k + 1] <= ref) {
        k++;
      }
      long tf = j >= 0 ? buf.ts[j] : Long.MIN_VALUE;
      long th = k >= 0 ? buf.hts[k] : Long.MIN_VALUE;
      if (th > tf) {
        if (th > ref - lookbackMillis) {
          if (timestamps) {
            values[i] = th / 1000.0;
          } else {
            hists[i] = buf.hs[k];
          }
          present++;
        }
      } else if (j >= 0 && tf > ref - lookbackMillis && !StaleNaN.is(buf.vs[j])) {
        values[i] = timestamps ? tf / 1000.0 : buf.vs[j];
        present++;
      }
    }
    return present == 0 ? null : new StepSeries(labels, timestamps, values, hists);
  }

  /** A smoothed instant selector: per step the value interpolated between neighbouring samples. */
  private void selectSmoothed(Plan.Selector sel, Grid g, SeriesSink sink) {
    int steps = g.steps();
    long firstRef = atTime(sel.at(), g.start()) - sel.offsetMillis();
    long lastRef = atTime(sel.at(), g.end()) - sel.offsetMillis();
    long mint = firstRef - lookbackMillis + 1;
    long maxt = lastRef + lookbackMillis;
    SeriesSet set = select(sel, mint, maxt, g.interval(), 0, "");
    while (set.next()) {
      control.check();
      Series s = set.at();
      buffer.resolveHints = statsSelectors.contains(sel);
      buffer.load(s, mint, maxt, true);
      int n = buffer.count;
      long[] ts = buffer.ts;
      double[] vs = buffer.vs;
      double[] values = new double[steps];
      FloatHistogram[] hists = buffer.hcount > 0 ? new FloatHistogram[steps] : null;
      ExtendedHistogramRange eh = hists == null ? null : new ExtendedHistogramRange(annotations, sel.pos());
      int present = 0;
      int lo = 0;
      int hi = 0;
      int hlo = 0;
      int hhi = 0;
      for (int i = 0; i < steps; i++) {
        long ref = atTime(sel.at(), g.time(i)) - sel.offsetMillis();
        while (hi < n && ts[hi] <= ref + lookbackMillis) {
          hi++;
        }
        while (lo < hi && ts[lo] <= ref - lookbackMillis) {
          lo++;
        }
        values[i] = ExtendedRange.smoothedValue(ts, vs, lo, hi, ref);
        if (hists != null) {
          while (hhi < buffer.hcount && buffer.hts[hhi] <= ref + lookbackMillis) {
            hhi++;
          }
          while (hlo < hhi && buffer.hts[hlo] <= ref - lookbackMillis) {
            hlo++;
          }
          if (hhi > hlo && hi > lo) {
            annotations.warn("encountered a mix of histograms and floats for metric name \""
                + s.labels().getOrEmpty(Labels.METRIC_NAME) + "\"", sel.pos());
            values[i] = Points.ABSENT;
          } else if (hhi > hlo) {
            values[i] = Points.ABSENT;
            hists[i] = eh.smoothedValue(buffer.hts, buffer.hs, hlo, hhi, ref, s.labels().getOrEmpty(Labels.METRIC_NAME));
          }
        }
        if (Points.isPresent(values[i]) || (hists != null && hists[i] != null)) {
          present++;
        }
      }
      if (present > 0) {
        control.addSamples(present);
        sink.accept(new StepSeries(s.labels(), false, values, hists));
      }
    }
  }

  /**
   * Evaluates an instant-vector expression into a sink, streaming series one at a time where the
   * operator allows (selectors, range functions over selectors, element-wise functions).
   */
  void stream(Plan p, Grid g, SeriesSink sink) {
    control.check();
    if (p instanceof Plan.Paren paren) {
      stream(paren.expr(), g, sink);
      return;
    }
    if (g.end() >= g.start()) {
      if (p instanceof Plan.Selector sel) {
        selectInstant(sel, g, false, sink);
        return;
      }
      if (p instanceof Plan.Call c && functions.stream(c, g, sink)) {
        return;
      }
    }
    for (StepSeries s : evalVector(p, g)) {
      sink.accept(s);
    }
  }

  /** A range selector evaluated at the (single) step of the grid: raw samples per series. */
  List<RawSeries> selectRange(Plan.RangeSelector rs, Grid g) {
    Plan.Selector sel = rs.selector();
    long maxt = atTime(sel.at(), g.start()) - sel.offsetMillis();
    long mint = maxt - rs.rangeMillis();
    boolean extended = sel.anchored() || sel.smoothed();
    long loadMin = extended ? mint - lookbackMillis : mint;
    long loadMax = sel.smoothed() ? maxt + lookbackMillis : maxt;
    SeriesSet set = select(sel, loadMin + 1, loadMax, g.interval(), rs.rangeMillis(), "");
    List<RawSeries> out = new ArrayList<>();
    while (set.next()) {
      control.check();
      Series s = set.at();
      buffer.resolveHints = statsSelectors.contains(sel);
      buffer.load(s, loadMin + 1, loadMax, true);
      if (buffer.count == 0 && buffer.hcount == 0) {
        continue;
      }
      if (buffer.hcount > 0 && !extended) {
        control.addSamples(buffer.count + buffer.hcount);
        out.add(new RawSeries(
            s.labels(), false, Arrays.copyOf(buffer.ts, buffer.count), Arrays.copyOf(buffer.vs, buffer.count),
            buffer.count, Arrays.copyOf(buffer.hts, buffer.hcount), Arrays.copyOf(buffer.hs, buffer.hcount),
            buffer.hcount));
        continue;
      }
      if (extended) {
        long[] ts = new long[buffer.count + 2];
        double[] vs = new double[buffer.count + 2];
        int n = ExtendedRange.extend(buffer.ts, buffer.vs, 0, buffer.count, mint, maxt, sel.smoothed(), ts, vs);
        if (n > 0) {
          control.addSamples(n);
          out.add(new RawSeries(s.labels(), false, Arrays.copyOf(ts, n), Arrays.copyOf(vs, n), n));
        }
        continue;
      }
      control.addSamples(buffer.count);
      out.add(new RawSeries(
          s.labels(), false, Arrays.copyOf(buffer.ts, buffer.count), Arrays.copyOf(buffer.vs, buffer.count),
          buffer.count));
    }
    return out;
  }

  /** The grid a subquery's inner expression is evaluated over. */
  Grid subqueryGrid(Plan.Subquery sq, Grid outer) {
    long step = sq.stepMillis() != 0 ? sq.stepMillis() : defaultSubqueryStep;
    long outerStart = atTime(sq.at(), outer.start());
    long outerEnd = atTime(sq.at(), outer.end());
    long end = outerEnd - sq.offsetMillis();
    long rawStart = outerStart - sq.offsetMillis() - sq.rangeMillis();
    long start = step * (rawStart / step);
    if (start <= rawStart) {
      start += step;
    }
    return new Grid(start, end, step);
  }

  /**
   * A histogram as a subquery yields it: a point need not follow the one before it in storage, so
   * a counter reset hint relating it to its storage predecessor is dropped (gauge stays).
   */
  private static FloatHistogram forSubquery(FloatHistogram h) {
    if (h.counterResetHint == dev.kiln.tsdb.histogram.CounterResetHint.UNKNOWN
        || h.counterResetHint == dev.kiln.tsdb.histogram.CounterResetHint.GAUGE) {
      return h;
    }
    FloatHistogram c = h.copy();
    c.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.UNKNOWN;
    return c;
  }

  /** One step series as raw points at the grid's times, floats and histograms apart. */
  RawSeries toRaw(StepSeries s, Grid grid) {
    int n = 0;
    int hn = 0;
    for (int i = 0; i < s.values.length; i++) {
      if (Points.isPresent(s.values[i])) {
        n++;
      } else if (s.hist(i) != null) {
        hn++;
      }
    }
    long[] ts = new long[n];
    double[] vs = new double[n];
    long[] hts = new long[hn];
    FloatHistogram[] hs = new FloatHistogram[hn];
    int k = 0;
    int m = 0;
    for (int i = 0; i < s.values.length; i++) {
      if (Points.isPresent(s.values[i])) {
        ts[k] = grid.time(i);
        vs[k] = s.values[i];
        k++;
      } else if (s.hist(i) != null) {
        hts[m] = grid.time(i);
        hs[m] = forSubquery(s.hist(i));
        m++;
      }
    }
    return new RawSeries(s.labels, s.dropName, ts, vs, n, hts, hs, hn);
  }

  /** Evaluates a subquery into raw series (points at the inner grid's steps). */
  List<RawSeries> subquery(Plan.Subquery sq, Grid outer) {
    Grid inner = subqueryGrid(sq, outer);
    List<StepSeries> vec;
    if (inner.end() < inner.start()) {
      vec = List.of();
    } else {
      vec = evalVector(sq.expr(), inner);
    }
    List<RawSeries> out = new ArrayList<>(vec.size());
    for (StepSeries s : vec) {
      out.add(toRaw(s, inner));
    }
    return out;
  }

  /** Raises Prometheus's error for duplicate output series. */
  static ExecutionException duplicateLabelset() {
    return new ExecutionException("vector cannot contain metrics with the same labelset");
  }
}
