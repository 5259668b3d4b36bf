package dev.kiln.promql.engine;

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

  BinaryOperators(Evaluator ev) {
    this.ev = ev;
  }

  Object eval(Plan.Binary b, Grid g) {
    Plan.Type lt = b.lhs().type();
    Plan.Type rt = b.rhs().type();
    if (lt == Plan.Type.SCALAR && rt == Plan.Type.SCALAR) {
      double[] l = ev.evalScalar(b.lhs(), g);
      double[] r = ev.evalScalar(b.rhs(), g);
      for (int i = 0; i < l.length; i++) {
        l[i] = scalarOp(b.op(), l[i], r[i]);
      }
      return l;
    }
    if (lt == Plan.Type.VECTOR && rt == Plan.Type.SCALAR) {
      List<StepSeries> l = ev.evalVector(b.lhs(), g);
      double[] r = ev.evalScalar(b.rhs(), g);
      return vectorScalar(b, l, r, false);
    }
    if (lt == Plan.Type.SCALAR && rt == Plan.Type.VECTOR) {
      double[] l = ev.evalScalar(b.lhs(), g);
      List<StepSeries> r = ev.evalVector(b.rhs(), g);
      return vectorScalar(b, r, l, true);
    }
    List<StepSeries> l = ev.evalVector(b.lhs(), g);
    List<StepSeries> r = ev.evalVector(b.rhs(), g);
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

  private static boolean anyPresent(List<StepSeries> v, int step) {
    for (StepSeries s : v) {
      if (Points.isPresent(s.values[step])) {
        return true;
      }
    }
    return false;
  }

  private List<StepSeries> setOperation(Plan.Binary b, List<StepSeries> l, List<StepSeries> r, Grid g) {
    Matching m = b.matching();
    int[] lsig = new int[l.size()];
    int[] rsig = new int[r.size()];
    int numSigs = signatures(m, l, r, lsig, rsig);
    int[] stamp = new int[numSigs];
    int steps = g.steps();
    Output out = new Output(steps);
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      int mark = step + 1;
      boolean lAny = anyPresent(l, step);
      boolean rAny = anyPresent(r, step);
      switch (b.op()) {
        case AND -> {
          if (!lAny || !rAny) {
            continue;
          }
          for (int j = 0; j < r.size(); j++) {
            if (Points.isPresent(r.get(j).values[step])) {
              stamp[rsig[j]] = mark;
            }
          }
          for (int i = 0; i < l.size(); i++) {
            StepSeries s = l.get(i);
            if (Points.isPresent(s.values[step]) && stamp[lsig[i]] == mark) {
              out.put(s.labels, s.dropName, step, s.values[step]);
            }
          }
        }
        case OR -> {
          for (int i = 0; i < l.size(); i++) {
            StepSeries s = l.get(i);
            if (Points.isPresent(s.values[step])) {
              stamp[lsig[i]] = mark;
              out.put(s.labels, s.dropName, step, s.values[step]);
            }
          }
          for (int j = 0; j < r.size(); j++) {
            StepSeries s = r.get(j);
            if (Points.isPresent(s.values[step]) && stamp[rsig[j]] != mark) {
              out.put(s.labels, s.dropName, step, s.values[step]);
            }
          }
        }
        case UNLESS -> {
          if (rAny) {
            for (int j = 0; j < r.size(); j++) {
              if (Points.isPresent(r.get(j).values[step])) {
                stamp[rsig[j]] = mark;
              }
            }
          }
          for (int i = 0; i < l.size(); i++) {
            StepSeries s = l.get(i);
            if (Points.isPresent(s.values[step]) && (!rAny || stamp[lsig[i]] != mark)) {
              out.put(s.labels, s.dropName, step, s.values[step]);
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
    Map<Long, Labels> resultLabelCache = new HashMap<>();
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
    int steps = g.steps();
    Output out = new Output(steps);
    Double fillRight = m.fillRight();
    Double fillLeft = m.fillLeft();
    boolean anyFill = fillRight != null || fillLeft != null;
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      int mark = step + 1;
      st.mark = mark;
      boolean manyAny = anyPresent(many, step);
      boolean oneAny = anyPresent(one, step);
      if (!manyAny && !oneAny) {
        continue;
      }
      if ((!manyAny || !oneAny) && !anyFill) {
        continue;
      }
      for (int j = 0; j < one.size(); j++) {
        if (Points.isAbsent(one.get(j).values[step])) {
          continue;
        }
        int sig = oneSig[j];
        if (st.oneStamp[sig] == mark) {
          Labels a = one.get(j).labels;
          Labels d = one.get(st.oneAt[sig]).labels;
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
      for (int i = 0; i < many.size(); i++) {
        StepSeries ls = many.get(i);
        double lv = ls.values[step];
        if (Points.isAbsent(lv)) {
          continue;
        }
        int sig = manySig[i];
        if (st.oneStamp[sig] == mark) {
          StepSeries rs = one.get(st.oneAt[sig]);
          long cacheKey = ((long) i << 32) | st.oneAt[sig];
          Labels metric = st.resultLabelCache.get(cacheKey);
          if (metric == null) {
            metric = resultMetric(ls.labels, rs.labels, b.op(), m);
            st.resultLabelCache.put(cacheKey, metric);
          }
          apply(b, st, out, step, sig, lv, rs.values[step], metric, swap);
        } else if (fillRight != null) {
          Labels rsLabels = matchLabels(m, ls.labels);
          apply(b, st, out, step, sig, lv, fillRight, resultMetric(ls.labels, rsLabels, b.op(), m), swap);
        }
      }
      if (fillLeft != null) {
        for (int j = 0; j < one.size(); j++) {
          StepSeries rs = one.get(j);
          double rv = rs.values[step];
          if (Points.isAbsent(rv)) {
            continue;
          }
          int sig = oneSig[j];
          if (st.matchedStamp[sig] == mark) {
            continue;
          }
          Labels lsLabels = matchLabels(m, rs.labels);
          apply(b, st, out, step, sig, fillLeft, rv, resultMetric(lsLabels, rs.labels, b.op(), m), swap);
        }
      }
    }
    releaseAll(lhs);
    releaseAll(rhs);
    return out.finish(ev.control);
  }

  /** One matched pair (Prometheus's doBinOp): {@code lv} from the many side, {@code rv} from the one side. */
  private void apply(
      Plan.Binary b, MatchState st, Output out, int step, int sig, double lv, double rv, Labels metric,
      boolean swap) {
    BinaryOp op = b.op();
    Matching m = b.matching();
    double fl = swap ? rv : lv;
    double fr = swap ? lv : rv;
    double value = arith(op, fl, fr);
    boolean keep = keep(op, fl, fr);
    if (op.isComparison()) {
      value = fl;
    }
    if (b.returnBool()) {
      value = keep ? 1 : 0;
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
    if (!keep && !b.returnBool()) {
      return;
    }
    out.put(metric, b.returnBool(), step, value);
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
      StepSeries s = series.get(labels);
      if (s == null) {
        double[] v = new double[steps];
        Arrays.fill(v, Points.ABSENT);
        s = new StepSeries(labels, dropName, v);
        series.put(labels, s);
      } else if (Points.isPresent(s.values[step])) {
        throw Evaluator.duplicateLabelset();
      }
      s.values[step] = value;
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
