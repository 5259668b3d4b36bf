package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.promql.ExecutionException;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * Evaluates PromQL function calls over a grid, with Prometheus's semantics for each function
 * ({@code promql/functions.go}). Range-vector functions stream one series at a time through the
 * evaluator's sample buffer; instant-vector functions map the per-step arrays in place.
 * Single-thread, owned by one {@link Evaluator}.
 */
final class Functions {
  private final Evaluator ev;
  private final RangeFunctionEvaluator rangeFunctions;

  Functions(Evaluator ev) {
    this.ev = ev;
    this.rangeFunctions = new RangeFunctionEvaluator(ev);
  }

  /** Streams a call into a sink when the function allows it; see {@link RangeFunctionEvaluator#stream}. */
  boolean stream(Plan.Call c, Grid g, SeriesSink sink) {
    return rangeFunctions.stream(c, g, sink);
  }

  StepValue call(Plan.Call c, Grid g) {
    if (c.type() == Plan.Type.SCALAR) {
      return new StepValue.ScalarSteps(scalarCall(c, g));
    }
    return new StepValue.InstantSteps(vectorCall(c, g));
  }

  /** A function returning a scalar. */
  private double[] scalarCall(Plan.Call c, Grid g) {
    List<Plan> args = c.args();
    String name = c.name();
    switch (name) {
      case "time":
        return fill(g, i -> g.time(i) / 1000.0);
      case "pi":
        return fill(g, i -> Math.PI);
      case "step":
        return fill(g, i -> ev.queryStep / 1000.0);
      case "range":
        return fill(g, i -> (ev.queryEnd - ev.queryStart) / 1000.0);
      case "start":
        return fill(g, i -> ev.queryStart / 1000.0);
      case "end":
        return fill(g, i -> ev.queryEnd / 1000.0);
      case "min_of":
      case "max_of": {
        double[] a = ev.evalScalar(args.get(0), g);
        double[] b = ev.evalScalar(args.get(1), g);
        boolean min = name.equals("min_of");
        return fill(g, i -> min ? Math.min(a[i], b[i]) : Math.max(a[i], b[i]));
      }
      case "scalar":
        return scalar(ev.evalVector(args.get(0), g), g);
      default:
        throw new ExecutionException("function " + name + " is not supported by Kiln's engine");
    }
  }

  /** A function returning an instant vector. */
  private List<StepSeries> vectorCall(Plan.Call c, Grid g) {
    String name = c.name();
    RangeFunction rf = RangeFunction.byName(name);
    if (rf != null) {
      return rangeFunctions.rangeFunction(rf, c, g);
    }
    List<Plan> args = c.args();
    switch (name) {
      case "histogram_quantiles":
        return ClassicHistograms.quantiles(ev, c, g);
      case "vector":
        return vector(ev.evalScalar(args.get(0), g));
      case "timestamp":
        return timestamp(args.get(0), g);
      case "absent":
        return absent(args.get(0), g);
      case "start_timestamp":
        throw new ExecutionException(
            "start_timestamp() needs sample start timestamps, which Kiln's storage does not keep");
      case "info":
        return new InfoFunction(ev).eval(c, g);
      case "label_replace":
        return labelReplace(c, g);
      case "label_join":
        return labelJoin(c, g);
      case "sort":
      case "sort_desc":
      case "sort_by_label":
      case "sort_by_label_desc":
        if (!g.isInstant()) {
          ev.annotations.warn(
              "sort is ineffective for range queries since results are always ordered by labels", c.pos());
        }
        return sortCall(c, g);
      case "round":
        return round(c, g);
      case "clamp":
        return clamp(ev.evalVector(args.get(0), g), ev.evalScalar(args.get(1), g),
            ev.evalScalar(args.get(2), g));
      case "clamp_min":
        return clamp(ev.evalVector(args.get(0), g), ev.evalScalar(args.get(1), g), null);
      case "clamp_max":
        return clamp(ev.evalVector(args.get(0), g), null, ev.evalScalar(args.get(1), g));
      case "histogram_quantile":
        return ClassicHistograms.quantile(ev, c, g);
      case "histogram_fraction":
        return ClassicHistograms.fraction(ev, c, g);
      case "histogram_count":
        return histogramScalar(ev.evalVector(args.get(0), g), h -> h.count);
      case "histogram_sum":
        return histogramScalar(ev.evalVector(args.get(0), g), h -> h.sum);
      case "histogram_avg":
        return histogramScalar(ev.evalVector(args.get(0), g), h -> h.sum / h.count);
      case "histogram_stddev":
        return histogramScalar(ev.evalVector(args.get(0), g), h -> Math.sqrt(HistogramStats.variance(h)));
      case "histogram_stdvar":
        return histogramScalar(ev.evalVector(args.get(0), g), HistogramStats::variance);
      default:
        break;
    }
    DateFunction df = DateFunction.byName(name);
    if (df != null) {
      return date(df, args, g);
    }
    DoubleUnaryOperator math = MathFunctions.byName(name);
    if (math != null) {
      return simple(ev.evalVector(args.get(0), g), math);
    }
    throw new ExecutionException("function " + name + " is not supported by Kiln's engine");
  }

  private List<StepSeries> sortCall(Plan.Call c, Grid g) {
    List<Plan> args = c.args();
    String name = c.name();
    if (name.equals("sort") || name.equals("sort_desc")) {
      return Sorting.sortByValue(ev.evalVector(args.get(0), g), g, name.equals("sort_desc"));
    }
    return Sorting.sortByLabel(
        ev.evalVector(args.get(0), g), g, stringArgs(args, 1), name.equals("sort_by_label_desc"));
  }

  private interface PerStep {
    double at(int step);
  }

  private static double[] fill(Grid g, PerStep f) {
    double[] v = new double[g.steps()];
    for (int i = 0; i < v.length; i++) {
      v[i] = f.at(i);
    }
    return v;
  }

  private double[] scalar(List<StepSeries> vec, Grid g) {
    double[] out = new double[g.steps()];
    for (int i = 0; i < out.length; i++) {
      double value = Double.NaN;
      int found = 0;
      for (StepSeries s : vec) {
        double v = s.values[i];
        if (Points.isPresent(v)) {
          found++;
          value = v;
        }
      }
      out[i] = found == 1 ? value : Double.NaN;
    }
    release(vec);
    return out;
  }

  private List<StepSeries> vector(double[] scalar) {
    List<StepSeries> out = new ArrayList<>(1);
    out.add(new StepSeries(Labels.EMPTY, false, scalar));
    ev.control.addSamples(scalar.length);
    return out;
  }

  /**
   * A function of native histogram samples only ({@code histogram_count} and the like): float
   * samples produce no output.
   */
  private List<StepSeries> histogramScalar(
      List<StepSeries> vec, java.util.function.ToDoubleFunction<FloatHistogram> f) {
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : vec) {
      if (!s.hasHistograms()) {
        continue;
      }
      double[] v = Points.absentArray(s.values.length);
      for (int i = 0; i < v.length; i++) {
        FloatHistogram h = s.hists[i];
        if (h != null) {
          v[i] = Points.fromStorage(f.applyAsDouble(h));
        }
      }
      out.add(new StepSeries(s.labels, true, v));
    }
    return out;
  }

  private List<StepSeries> simple(List<StepSeries> vec, DoubleUnaryOperator f) {
    vec.removeIf(s -> {
      s.dropHistograms();
      return s.isEmpty();
    });
    for (StepSeries s : vec) {
      double[] a = s.values;
      for (int i = 0; i < a.length; i++) {
        if (Points.isPresent(a[i])) {
          a[i] = f.applyAsDouble(a[i]);
        }
      }
      s.dropName = true;
    }
    return vec;
  }

  private List<StepSeries> round(Plan.Call c, Grid g) {
    List<StepSeries> vec = ev.evalVector(c.args().get(0), g);
    vec.removeIf(s -> {
      s.dropHistograms();
      return s.isEmpty();
    });
    double[] nearest = c.args().size() > 1 ? ev.evalScalar(c.args().get(1), g) : null;
    for (StepSeries s : vec) {
      double[] a = s.values;
      for (int i = 0; i < a.length; i++) {
        if (Points.isPresent(a[i])) {
          double toNearestInverse = 1.0 / (nearest == null ? 1 : nearest[i]);
          a[i] = Math.floor(a[i] * toNearestInverse + 0.5) / toNearestInverse;
        }
      }
      s.dropName = true;
    }
    return vec;
  }

  private List<StepSeries> clamp(List<StepSeries> vec, double[] min, double[] max) {
    for (StepSeries s : vec) {
      s.dropHistograms();
    }
    for (StepSeries s : vec) {
      double[] a = s.values;
      for (int i = 0; i < a.length; i++) {
        if (Points.isPresent(a[i])) {
          double lo = min == null ? Double.NEGATIVE_INFINITY : min[i];
          double hi = max == null ? Double.POSITIVE_INFINITY : max[i];
          if (hi < lo) {
            a[i] = Points.ABSENT;
          } else {
            a[i] = Math.max(lo, Math.min(hi, a[i]));
          }
        }
      }
      s.dropName = true;
    }
    vec.removeIf(StepSeries::isEmpty);
    return vec;
  }

  private List<StepSeries> date(DateFunction df, List<Plan> args, Grid g) {
    if (args.isEmpty()) {
      double[] v = fill(g, i -> df.apply(Math.floorDiv(g.time(i), 1000)));
      List<StepSeries> out = new ArrayList<>(1);
      out.add(new StepSeries(Labels.EMPTY, false, v));
      ev.control.addSamples(v.length);
      return out;
    }
    return simple(ev.evalVector(args.get(0), g), v -> df.apply((long) v));
  }

  private List<StepSeries> timestamp(Plan arg, Grid g) {
    Plan inner = unwrapParens(arg);
    if (inner instanceof Plan.Selector sel) {
      return ev.selectInstant(sel, g, true);
    }
    List<StepSeries> vec = ev.evalVector(arg, g);
    for (StepSeries s : vec) {
      double[] a = s.values;
      for (int i = 0; i < a.length; i++) {
        if (s.hasPoint(i)) {
          a[i] = g.time(i) / 1000.0;
        }
      }
      s.dropHistograms();
      s.dropName = true;
    }
    return vec;
  }

  static Plan unwrapParens(Plan p) {
    while (p instanceof Plan.Paren paren) {
      p = paren.expr();
    }
    return p;
  }

  private List<StepSeries> absent(Plan arg, Grid g) {
    List<StepSeries> vec = ev.evalVector(arg, g);
    double[] out = Points.absentArray(g.steps());
    int present = 0;
    for (int i = 0; i < out.length; i++) {
      boolean any = false;
      for (StepSeries s : vec) {
        if (s.hasPoint(i)) {
          any = true;
          break;
        }
      }
      if (!any) {
        out[i] = 1;
        present++;
      }
    }
    release(vec);
    List<StepSeries> result = new ArrayList<>(1);
    if (present > 0) {
      result.add(new StepSeries(labelsForAbsent(arg), false, out));
      ev.control.addSamples(present);
    }
    return result;
  }

  /** The labels of absent()'s output: those fixed by equality matchers of a selector argument. */
  static Labels labelsForAbsent(Plan arg) {
    Plan p = unwrapParens(arg);
    List<LabelMatcher> matchers;
    if (p instanceof Plan.Selector s) {
      matchers = s.matchers();
    } else if (p instanceof Plan.RangeSelector rs) {
      matchers = rs.selector().matchers();
    } else {
      return Labels.EMPTY;
    }
    Labels.Builder b = Labels.builder();
    Set<String> has = new HashSet<>();
    for (LabelMatcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME)) {
        continue;
      }
      if (m.type() == LabelMatcher.Type.EQUAL && !has.contains(m.name())) {
        b.set(m.name(), m.value());
        has.add(m.name());
      } else {
        b.delete(m.name());
      }
    }
    return b.build();
  }

  private void release(List<StepSeries> vec) {
    long n = 0;
    for (StepSeries s : vec) {
      n += s.presentCount();
    }
    ev.control.releaseSamples(n);
  }

  static List<String> stringArgs(List<Plan> args, int from) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < args.size(); i++) {
      out.add(((Plan.StringLiteral) unwrapParens(args.get(i))).value());
    }
    return out;
  }

  private List<StepSeries> labelReplace(Plan.Call c, Grid g) {
    List<String> s = stringArgs(c.args(), 1);
    String dst = s.get(0);
    String repl = s.get(1);
    String src = s.get(2);
    String regex = s.get(3);
    com.google.re2j.Pattern pattern;
    try {
      pattern = com.google.re2j.Pattern.compile("^(?s:" + regex + ")$");
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw new ExecutionException("invalid regular expression in label_replace(): " + regex);
    }
    if (!LabelNames.isValid(dst)) {
      throw new ExecutionException("invalid destination label name in label_replace(): " + dst);
    }
    List<StepSeries> vec = ev.evalVector(c.args().get(0), g);
    for (StepSeries series : vec) {
      String srcVal = series.labels.getOrEmpty(src);
      com.google.re2j.Matcher m = pattern.matcher(srcVal);
      if (m.matches()) {
        String res = dev.kiln.tsdb.model.GoRegexExpand.expand(repl, m);
        series.labels = series.labels.toBuilder().set(dst, res).build();
        if (dst.equals(Labels.METRIC_NAME)) {
          series.dropName = false;
        }
      }
    }
    return SeriesMerge.mergeSameLabels(vec);
  }

  private List<StepSeries> labelJoin(Plan.Call c, Grid g) {
    List<String> s = stringArgs(c.args(), 1);
    String dst = s.get(0);
    String sep = s.get(1);
    List<String> srcLabels = s.subList(2, s.size());
    for (String src : srcLabels) {
      if (!LabelNames.isValid(src)) {
        throw new ExecutionException("invalid source label name in label_join(): " + src);
      }
    }
    if (!LabelNames.isValid(dst)) {
      throw new ExecutionException("invalid destination label name in label_join(): " + dst);
    }
    List<StepSeries> vec = ev.evalVector(c.args().get(0), g);
    for (StepSeries series : vec) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < srcLabels.size(); i++) {
        if (i > 0) {
          sb.append(sep);
        }
        sb.append(series.labels.getOrEmpty(srcLabels.get(i)));
      }
      series.labels = series.labels.toBuilder().set(dst, sb.toString()).build();
      if (dst.equals(Labels.METRIC_NAME)) {
        series.dropName = false;
      }
    }
    return SeriesMerge.mergeSameLabels(vec);
  }

}
