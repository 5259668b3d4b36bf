package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.HistogramException;
import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.ast.BinaryOp;
import dev.kiln.promql.ast.VectorMatching.Cardinality;
import dev.kiln.promql.engine.Plan.Matching;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary operators between scalars and vectors with Prometheus's vector matching
 * ({@code on}/{@code ignoring}, {@code group_left}/{@code group_right}), filtering comparisons,
 * {@code bool}, and the set operators. Matching signatures are computed once per series; the
 * matching itself runs per step over the series present at that step, as in Prometheus.
 */
final class BinaryOperators {
  private final Evaluator ev;
  private final BinaryOperands operands;

  BinaryOperators(Evaluator ev) {
    this.ev = ev;
    this.operands = new BinaryOperands(ev);
  }

  StepValue eval(Plan.Binary b, Grid g) {
    Plan.Type lt = b.lhs().type();
    Plan.Type rt = b.rhs().type();
    StepValue[] both = operands.eval(b.lhs(), b.rhs(), g);
    if (lt == Plan.Type.SCALAR && rt == Plan.Type.SCALAR) {
      double[] l = Evaluator.scalar(b.lhs(), both[0]);
      double[] r = Evaluator.scalar(b.rhs(), both[1]);
      for (int i = 0; i < l.length; i++) {
        l[i] = scalarOp(b.op(), l[i], r[i]);
      }
      return new StepValue.ScalarSteps(l);
    }
    return new StepValue.InstantSteps(vectors(b, both[0], both[1], g));
  }

  /** A binary operation with at least one instant-vector side, given the values of both operands. */
  private List<StepSeries> vectors(Plan.Binary b, StepValue lv, StepValue rv, Grid g) {
    Plan.Type lt = b.lhs().type();
    Plan.Type rt = b.rhs().type();
    if (lt == Plan.Type.VECTOR && rt == Plan.Type.SCALAR) {
      List<StepSeries> l = Evaluator.vector(b.lhs(), lv);
      double[] r = Evaluator.scalar(b.rhs(), rv);
      return vectorScalar(b, l, r, false);
    }
    if (lt == Plan.Type.SCALAR && rt == Plan.Type.VECTOR) {
      double[] l = Evaluator.scalar(b.lhs(), lv);
      List<StepSeries> r = Evaluator.vector(b.rhs(), rv);
      return vectorScalar(b, r, l, true);
    }
    List<StepSeries> l = Evaluator.vector(b.lhs(), lv);
    List<StepSeries> r = Evaluator.vector(b.rhs(), rv);
    if (b.op().isSetOperator()) {
      return setOperation(b, l, r, g);
    }
    return vectorVector(b, l, r, g);
  }

  static double scalarOp(BinaryOp op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      case POW -> pow(l, r);
      case MOD -> l % r;
      case ATAN2 -> Math.atan2(l, r);
      case EQL -> l == r ? 1 : 0;
      case NEQ -> l != r ? 1 : 0;
      case GTR -> l > r ? 1 : 0;
      case LSS -> l < r ? 1 : 0;
      case GTE -> l >= r ? 1 : 0;
      case LTE -> l <= r ? 1 : 0;
      default -> throw new ExecutionException(
          "operator \"" + op.symbol() + "\" not allowed for Scalar operations");
    };
  }

  /** Go's math.Pow, which differs from Java's for a base of 1 or -1 with NaN or infinite powers. */
  static double pow(double x, double y) {
    if (y == 0) {
      return 1;
    }
    if (x == 1) {
      return 1;
    }
    if (x == -1 && Double.isInfinite(y)) {
      return 1;
    }
    return Math.pow(x, y);
  }

  /** Whether a comparison keeps its element; for arithmetic always true. */
  private static boolean keep(BinaryOp op, double l, double r) {
    return switch (op) {
      case EQL -> l == r;
      case NEQ -> l != r;
      case GTR -> l > r;
      case LSS -> l < r;
      case GTE -> l >= r;
      case LTE -> l <= r;
      default -> true;
    };
  }

  private static double arith(BinaryOp op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      case POW -> pow(l, r);
      case MOD -> l % r;
      case ATAN2 -> Math.atan2(l, r);
      default -> l;
    };
  }

  private List<StepSeries> vectorScalar(
      Plan.Binary b, List<StepSeries> vec, double[] scalar, boolean scalarOnLeft) {
    BinaryOp op = b.op();
    boolean cmp = op.isComparison();
    long removed = 0;
    for (StepSeries s : vec) {
      double[] a = s.values;
      if (s.hists != null) {
        for (int i = 0; i < a.length; i++) {
          FloatHistogram h = s.hists[i];
          if (h == null) {
            continue;
          }
          FloatHistogram res = null;
          if (op.isTrim() && !scalarOnLeft) {
            res = HistogramTrim.trim(h, scalar[i], op == BinaryOp.TRIM_UPPER);
          } else if (op == BinaryOp.MUL) {
            res = h.copy().mul(scalar[i]).compact(0);
          } else if (op == BinaryOp.DIV && !scalarOnLeft) {
            res = h.copy().div(scalar[i]).compact(0);
          } else {
            incompatibleTypes(b, scalarOnLeft ? "float" : "histogram", scalarOnLeft ? "histogram" : "float");
          }
          s.hists[i] = res;
          if (res == null) {
            removed++;
          }
        }
      }
      if (op.isTrim()) {
        for (int i = 0; i < a.length; i++) {
          if (Points.isPresent(a[i])) {
            incompatibleTypes(b, "float", "float");
            a[i] = Points.ABSENT;
            removed++;
          }
        }
      }
      for (int i = 0; i < a.length; i++) {
        double v = a[i];
        if (Points.isAbsent(v)) {
          continue;
        }
        double lf = scalarOnLeft ? scalar[i] : v;
        double rf = scalarOnLeft ? v : scalar[i];
        double value = arith(op, lf, rf);
        boolean keep = keep(op, lf, rf);
        if (cmp) {
          value = v;
        }
        if (b.returnBool()) {
          value = keep ? 1 : 0;
          keep = true;
        }
        if (keep) {
          a[i] = value;
        } else {
          a[i] = Points.ABSENT;
          removed++;
        }
      }
      if (op.changesMetricSchema() || b.returnBool()) {
        s.dropName = true;
      }
    }
    ev.control.releaseSamples(removed);
    vec.removeIf(StepSeries::isEmpty);
    return vec;
  }

  private void incompatibleTypes(Plan.Binary b, String lhsType, String rhsType) {
    String op = b.op().symbol();
    ev.annotations.info("incompatible sample types encountered for binary operator \"" + op + "\": "
        + lhsType + " " + op + " " + rhsType, b.pos());
  }

  /** Assigns each series the ordinal of its matching signature; returns the number of signatures. */
  private static int signatures(
      Matching m, List<StepSeries> l, List<StepSeries> r, int[] lsig, int[] rsig) {
    Map<Labels, Integer> ordinals = new HashMap<>();
    for (int i = 0; i < l.size(); i++) {
      lsig[i] = ordinals.computeIfAbsent(signature(m, l.get(i).labels), k -> ordinals.size());
    }
    for (int i = 0; i < r.size(); i++) {
      rsig[i] = ordinals.computeIfAbsent(signature(m, r.get(i).labels), k -> ordinals.size());
    }
    return ordinals.size();
  }

  static Labels signature(Matching m, Labels labels) {
    if (m.on()) {
      return labels.keep(m.matchingLabels());
    }
    List<String> drop = new ArrayList<>(m.matchingLabels().size() + 1);
    drop.add(Labels.METRIC_NAME);
    drop.addAll(m.matchingLabels());
    return labels.without(drop);
  }

  /**
   * Whether any series of {@code v} has a point, step by step: one pass series by series, reading
   * each series' values in order, instead of a scan across all series at every step.
   */
  private static boolean[] presentSteps(StepSeries[] v, int steps) {
    boolean[] any = new boolean[steps];
    int found = 0;
    for (StepSeries s : v) {
      for (int step = 0; step < steps; step++) {
        if (!any[step] && s.hasPoint(step)) {
          any[step] = true;
          found++;
        }
      }
      if (found == steps) {
        break;
      }
    }
    return any;
  }


  private List<StepSeries> setOperation(Plan.Binary b, List<StepSeries> l, List<StepSeries> r, Grid g) {
    Matching m = b.matching();
    int[] lsig = new int[l.size()];
    int[] rsig = new int[r.size()];
    int numSigs = signatures(m, l, r, lsig, rsig);
    int[] stamp = new int[numSigs];
    int steps = g.steps();
    Output out = new Output(steps);
    boolean[] lPresent = presentSteps(l.toArray(new StepSeries[0]), steps);
    boolean[] rPresent = presentSteps(r.toArray(new StepSeries[0]), steps);
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      int mark = step + 1;
      boolean lAny = lPresent[step];
      boolean rAny = rPresent[step];
      switch (b.op()) {
        case AND -> {
          if (!lAny || !rAny) {
            continue;
          }
          for (int j = 0; j < r.size(); j++) {
            if (r.get(j).hasPoint(step)) {
              stamp[rsig[j]] = mark;
            }
          }
          for (int i = 0; i < l.size(); i++) {
            StepSeries s = l.get(i);
            if (s.hasPoint(step) && stamp[lsig[i]] == mark) {
              out.put(s.labels, s.dropName, step, s.values[step], s.hist(step));
            }
          }
        }
        case OR -> {
          for (int i = 0; i < l.size(); i++) {
            StepSeries s = l.get(i);
            if (s.hasPoint(step)) {
              stamp[lsig[i]] = mark;
              out.put(s.labels, s.dropName, step, s.values[step], s.hist(step));
            }
          }
          for (int j = 0; j < r.size(); j++) {
            StepSeries s = r.get(j);
            if (s.hasPoint(step) && stamp[rsig[j]] != mark) {
              out.put(s.labels, s.dropName, step, s.values[step], s.hist(step));
            }
          }
        }
        case UNLESS -> {
          if (rAny) {
            for (int j = 0; j < r.size(); j++) {
              if (r.get(j).hasPoint(step)) {
                stamp[rsig[j]] = mark;
              }
            }
          }
          for (int i = 0; i < l.size(); i++) {
            StepSeries s = l.get(i);
            if (s.hasPoint(step) && (!rAny || stamp[lsig[i]] != mark)) {
              out.put(s.labels, s.dropName, step, s.values[step], s.hist(step));
            }
          }
        }
        default -> throw new IllegalStateException("not a set operator: " + b.op());
      }
    }
    releaseAll(l);
    releaseAll(r);
    return out.finish(ev.control);
  }

  private void releaseAll(List<StepSeries> v) {
    long n = 0;
    for (StepSeries s : v) {
      n += s.presentCount();
    }
    ev.control.releaseSamples(n);
  }

  /** Per-step state of a vector-vector operation. */
  private static final class MatchState {
    int[] oneAt;
    int[] oneStamp;
    int[] matchedStamp;
    Map<Integer, java.util.Set<Labels>> manyToOneSeen = new HashMap<>();
    /**
     * Per many-side series, the one-side series it last matched (-1: none yet), the result labels
     * of that pair and its output series (null until the pair first kept a point). A pair usually
     * matches at every step, so its labels are built and looked up once, not once per step.
     */
    int[] pairOne;
    Labels[] pairMetric;
    StepSeries[] pairOut;
    int mark;
  }

  private List<StepSeries> vectorVector(Plan.Binary b, List<StepSeries> lhs, List<StepSeries> rhs, Grid g) {
    Matching m = b.matching();
    boolean swap = m.card() == Cardinality.ONE_TO_MANY;
    List<StepSeries> many = swap ? rhs : lhs;
    List<StepSeries> one = swap ? lhs : rhs;
    int[] manySig = new int[many.size()];
    int[] oneSig = new int[one.size()];
    int numSigs = signatures(m, many, one, manySig, oneSig);
    MatchState st = new MatchState();
    st.oneAt = new int[numSigs];
    st.oneStamp = new int[numSigs];
    st.matchedStamp = new int[numSigs];
    st.pairOne = new int[many.size()];
    Arrays.fill(st.pairOne, -1);
    st.pairMetric = new Labels[many.size()];
    st.pairOut = new StepSeries[many.size()];
    int steps = g.steps();
    Output out = new Output(steps);
    Double fillRight = m.fillRight();
    Double fillLeft = m.fillLeft();
    boolean anyFill = fillRight != null || fillLeft != null;
    StepSeries[] manyArr = many.toArray(new StepSeries[0]);
    StepSeries[] oneArr = one.toArray(new StepSeries[0]);
    boolean[] manyPresent = presentSteps(manyArr, steps);
    boolean[] onePresent = presentSteps(oneArr, steps);
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      int mark = step + 1;
      st.mark = mark;
      boolean manyAny = manyPresent[step];
      boolean oneAny = onePresent[step];
      if (!manyAny && !oneAny) {
        continue;
      }
      if ((!manyAny || !oneAny) && !anyFill) {
        continue;
      }
      for (int j = 0; j < oneArr.length; j++) {
        if (!oneArr[j].hasPoint(step)) {
          continue;
        }
        int sig = oneSig[j];
        if (st.oneStamp[sig] == mark) {
          Labels a = oneArr[j].labels;
          Labels d = oneArr[st.oneAt[sig]].labels;
          Labels first = a.compareTo(d) <= 0 ? a : d;
          Labels second = first == a ? d : a;
          Labels matched = matchLabels(m, a);
          throw new ExecutionException(
              "found duplicate series for the match group " + matched + " on the "
                  + (swap ? "left" : "right") + " hand-side of the operation: [" + first + ", "
                  + second + "];many-to-many matching not allowed: matching labels must be unique on one side");
        }
        st.oneStamp[sig] = mark;
        st.oneAt[sig] = j;
      }
      st.manyToOneSeen.clear();
      for (int i = 0; i < manyArr.length; i++) {
        StepSeries ls = manyArr[i];
        double lv = ls.values[step];
        if (!ls.hasPoint(step)) {
          continue;
        }
        int sig = manySig[i];
        if (st.oneStamp[sig] == mark) {
          int j = st.oneAt[sig];
          StepSeries rs = oneArr[j];
          if (st.pairOne[i] != j) {
            st.pairOne[i] = j;
            st.pairMetric[i] = resultMetric(ls.labels, rs.labels, b.op(), m);
            st.pairOut[i] = null;
          }
          apply(b, st, out, step, sig, lv, rs.values[step], ls.hist(step), rs.hist(step), st.pairMetric[i], swap, i);
        } else if (fillRight != null) {
          Labels rsLabels = matchLabels(m, ls.labels);
          apply(b, st, out, step, sig, lv, fillRight, ls.hist(step), null,
              resultMetric(ls.labels, rsLabels, b.op(), m), swap, -1);
        }
      }
      if (fillLeft != null) {
        for (int j = 0; j < oneArr.length; j++) {
          StepSeries rs = oneArr[j];
          double rv = rs.values[step];
          if (!rs.hasPoint(step)) {
            continue;
          }
          int sig = oneSig[j];
          if (st.matchedStamp[sig] == mark) {
            continue;
          }
          Labels lsLabels = matchLabels(m, rs.labels);
          apply(b, st, out, step, sig, fillLeft, rv, null, rs.hist(step),
              resultMetric(lsLabels, rs.labels, b.op(), m), swap, -1);
        }
      }
    }
    releaseAll(lhs);
    releaseAll(rhs);
    return out.finish(ev.control);
  }

  /**
   * One matched pair (Prometheus's doBinOp): {@code lv} from the many side, {@code rv} from the one
   * side; {@code pair} is the many-side series whose cached output series receives the point, or
   * -1 to look the output series up by {@code metric}.
   */
  private void apply(
      Plan.Binary b, MatchState st, Output out, int step, int sig, double lv, double rv, FloatHistogram lh,
      FloatHistogram rh, Labels metric, boolean swap, int pair) {
    BinaryOp op = b.op();
    Matching m = b.matching();
    double fl = swap ? rv : lv;
    double fr = swap ? lv : rv;
    FloatHistogram hl = swap ? rh : lh;
    FloatHistogram hr = swap ? lh : rh;
    double value;
    boolean keep;
    FloatHistogram hv = null;
    boolean compatible = true;
    if (hl == null && hr == null && op.isTrim()) {
      incompatibleTypes(b, "float", "float");
      value = 0;
      keep = false;
      compatible = false;
    } else if (hl == null && hr == null) {
      value = arith(op, fl, fr);
      keep = keep(op, fl, fr);
      if (op.isComparison()) {
        value = fl;
      }
    } else {
      value = 0;
      keep = true;
      hv = histogramOp(b, fl, fr, hl, hr);
      if (hv == null) {
        compatible = false;
        keep = false;
      } else if (op == BinaryOp.EQL || op == BinaryOp.NEQ) {
        keep = hl.equals(hr) == (op == BinaryOp.EQL);
      }
    }
    if (b.returnBool()) {
      value = keep ? 1 : 0;
      hv = null;
    }
    if (m.card() == Cardinality.ONE_TO_ONE) {
      if (st.matchedStamp[sig] == st.mark) {
        throw new ExecutionException(
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
      }
    } else {
      if (st.matchedStamp[sig] != st.mark) {
        st.manyToOneSeen.remove(sig);
      }
      java.util.Set<Labels> seen = st.manyToOneSeen.computeIfAbsent(sig, k -> new java.util.HashSet<>());
      if (!seen.add(metric)) {
        throw new ExecutionException(
            "multiple matches for labels: grouping labels must ensure unique matches");
      }
    }
    st.matchedStamp[sig] = st.mark;
    if (!compatible || (!keep && !b.returnBool())) {
      return;
    }
    if (pair < 0) {
      out.put(metric, b.returnBool(), step, value, hv);
      return;
    }
    StepSeries s = st.pairOut[pair];
    if (s == null) {
      s = out.series(metric, b.returnBool());
      st.pairOut[pair] = s;
    }
    Output.put(s, step, value, hv);
  }

  /**
   * Prometheus's vectorElemBinop where a histogram is involved: histogram ± histogram, histogram
   * × or ÷ float, float × histogram, and == / != between histograms (which keep the left one).
   * Returns null, with an info annotation, for combinations that yield nothing.
   */
  private FloatHistogram histogramOp(Plan.Binary b, double fl, double fr, FloatHistogram hl, FloatHistogram hr) {
    BinaryOp op = b.op();
    if (op.isTrim()) {
      if (hl != null && hr == null) {
        return HistogramTrim.trim(hl, fr, op == BinaryOp.TRIM_UPPER);
      }
      incompatibleTypes(b, hl == null ? "float" : "histogram", hr == null ? "float" : "histogram");
      return null;
    }
    if (hl == null) {
      if (op == BinaryOp.MUL) {
        return hr.copy().mul(fl).compact(0);
      }
      incompatibleTypes(b, "float", "histogram");
      return null;
    }
    if (hr == null) {
      if (op == BinaryOp.MUL) {
        return hl.copy().mul(fr).compact(0);
      }
      if (op == BinaryOp.DIV) {
        return hl.copy().div(fr).compact(0);
      }
      incompatibleTypes(b, "histogram", "float");
      return null;
    }
    switch (op) {
      case ADD, SUB -> {
        FloatHistogram res = hl.copy();
        int flags;
        try {
          flags = op == BinaryOp.ADD ? res.add(hr) : res.sub(hr);
        } catch (HistogramException e) {
          ev.annotations.warn("vector contains a mix of histograms with exponential and custom buckets schemas"
              + " for metric name \"\"", b.pos());
          return null;
        }
        String what = op == BinaryOp.ADD ? "addition" : "subtraction";
        if ((flags & FloatHistogram.COUNTER_RESET_COLLISION) != 0) {
          ev.annotations.warn("conflicting counter resets during histogram " + what, b.pos());
        }
        if ((flags & FloatHistogram.NHCB_BOUNDS_RECONCILED) != 0) {
          ev.annotations.info("mismatched custom buckets were reconciled during " + what, b.pos());
        }
        if (op == BinaryOp.SUB) {
          res.counterResetHint = CounterResetHint.GAUGE;
        }
        return res.compact(0);
      }
      case EQL, NEQ -> {
        return hl;
      }
      default -> {
        incompatibleTypes(b, "histogram", "histogram");
        return null;
      }
    }
  }

  private static Labels matchLabels(Matching m, Labels l) {
    if (m.on()) {
      return l.keep(m.matchingLabels());
    }
    List<String> drop = new ArrayList<>(m.matchingLabels());
    drop.add(Labels.METRIC_NAME);
    return l.without(drop);
  }

  static Labels resultMetric(Labels lhs, Labels rhs, BinaryOp op, Matching m) {
    Labels.Builder b = lhs.toBuilder();
    if (op.changesMetricSchema()) {
      for (String n : MetricNames.METADATA_LABELS) {
        b.delete(n);
      }
    }
    if (m.card() == Cardinality.ONE_TO_ONE) {
      if (m.on()) {
        Labels kept = b.build().keep(m.matchingLabels());
        b = kept.toBuilder();
      } else {
        for (String n : m.matchingLabels()) {
          b.delete(n);
        }
      }
    }
    for (String ln : m.include()) {
      String v = rhs.get(ln);
      if (v != null && !v.isEmpty()) {
        b.set(ln, v);
      } else {
        b.delete(ln);
      }
    }
    return b.build();
  }

  /**
   * Collects output points into series keyed by label set, failing as Prometheus does when two
   * outputs with the same labels land on the same step.
   */
  static final class Output {
    private final int steps;
    private final Map<Labels, StepSeries> series = new LinkedHashMap<>();

    Output(int steps) {
      this.steps = steps;
    }

    void put(Labels labels, boolean dropName, int step, double value) {
      put(labels, dropName, step, value, null);
    }

    /** Adds a point: the histogram when it is not null, else the float. */
    void put(Labels labels, boolean dropName, int step, double value, FloatHistogram h) {
      put(series(labels, dropName), step, value, h);
    }

    /**
     * The output series of {@code labels}, created empty (in the output's order) when it has none
     * yet; points go in with {@link #put(StepSeries, int, double, FloatHistogram)}.
     */
    StepSeries series(Labels labels, boolean dropName) {
      StepSeries s = series.get(labels);
      if (s == null) {
        double[] v = new double[steps];
        Arrays.fill(v, Points.ABSENT);
        s = new StepSeries(labels, dropName, v);
        series.put(labels, s);
      }
      return s;
    }

    /** Adds a point to an output series, failing when it already has one at {@code step}. */
    static void put(StepSeries s, int step, double value, FloatHistogram h) {
      if (s.hasPoint(step)) {
        throw Evaluator.duplicateLabelset();
      }
      if (h != null) {
        s.setHist(step, h);
      } else {
        s.values[step] = value;
      }
    }

    List<StepSeries> finish(QueryControl control) {
      List<StepSeries> out = new ArrayList<>(series.values());
      long n = 0;
      for (StepSeries s : out) {
        n += s.presentCount();
      }
      control.addSamples(n);
      return out;
    }
  }
}
