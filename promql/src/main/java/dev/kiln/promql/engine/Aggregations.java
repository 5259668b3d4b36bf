package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.HistogramException;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregation operators. Groups are computed once per input series (labels do not change
 * across steps). {@code sum}, {@code avg}, {@code count}, {@code min}, {@code max},
 * {@code group}, {@code stddev} and {@code stdvar} stream series-major into per-(group, step)
 * accumulators held in primitive arrays, in the same per-step input order as Prometheus, so
 * results match bit for bit; with worker threads, range queries add each batch of float series
 * split by step ranges across the threads, which keeps that order for every accumulator. {@code topk}, {@code bottomk}, {@code limitk}, {@code limit_ratio},
 * {@code quantile} and {@code count_values} work per step.
 */
final class Aggregations {
  private final Evaluator ev;

  Aggregations(Evaluator ev) {
    this.ev = ev;
  }

  List<StepSeries> eval(Plan.Aggregate a, Grid g) {
    if (a.op() == AggregateOp.COUNT_VALUES) {
      return countValues(a, g);
    }
    double[] param = null;
    if (a.param() != null && a.param().type() == Plan.Type.SCALAR) {
      param = ev.evalScalar(a.param(), g);
    }
    List<String> grouping = new ArrayList<>(a.grouping());
    java.util.Collections.sort(grouping);
    return switch (a.op()) {
      case TOPK, BOTTOMK, LIMITK, LIMIT_RATIO -> new SelectingAggregation(ev).eval(a, ev.evalVector(a.expr(), g), param, grouping, g);
      case QUANTILE -> quantile(a, ev.evalVector(a.expr(), g), param, grouping, g);
      default -> streaming(a, grouping, g);
    };
  }

  static Labels groupKey(Labels l, List<String> grouping, boolean without) {
    if (without) {
      List<String> drop = new ArrayList<>(grouping.size() + 1);
      drop.addAll(grouping);
      drop.add(Labels.METRIC_NAME);
      return l.without(drop);
    }
    if (grouping.isEmpty()) {
      return Labels.EMPTY;
    }
    return l.keep(grouping);
  }

  /** Maps each input series to a group index; fills {@code groupLabels} in first-seen order. */
  static int[] assignGroups(
      List<StepSeries> in, List<String> grouping, boolean without, List<Labels> groupLabels) {
    Map<Labels, Integer> index = new HashMap<>();
    int[] groupOf = new int[in.size()];
    for (int i = 0; i < in.size(); i++) {
      Labels key = groupKey(in.get(i).labels, grouping, without);
      Integer gi = index.get(key);
      if (gi == null) {
        gi = groupLabels.size();
        index.put(key, gi);
        groupLabels.add(key);
      }
      groupOf[i] = gi;
    }
    return groupOf;
  }

  private void release(List<StepSeries> in) {
    long n = 0;
    for (StepSeries s : in) {
      n += s.presentCount();
    }
    ev.control.releaseSamples(n);
  }

  /** Per-group, per-step accumulators of a streaming aggregation. */
  private static final class Group {
    final Labels labels;
    final double[] value;
    final double[] kahan;
    final double[] mean;
    final double[] count;
    final boolean[] seen;
    final boolean[] incremental;
    boolean dropName;
    /** Histogram state, allocated when the first histogram arrives. */
    FloatHistogram[] hist;
    HistogramAccumulator[] acc;
    boolean[] hasFloat;
    boolean[] incompatible;
    boolean[] resetSeen;
    boolean[] notResetSeen;

    void initHistograms(int steps) {
      hist = new FloatHistogram[steps];
      acc = new HistogramAccumulator[steps];
      hasFloat = seen.clone();
      incompatible = new boolean[steps];
      resetSeen = new boolean[steps];
      notResetSeen = new boolean[steps];
    }

    Group(Labels labels, int steps, boolean avg) {
      this.labels = labels;
      this.value = new double[steps];
      this.kahan = new double[steps];
      this.mean = new double[steps];
      this.count = new double[steps];
      this.seen = new boolean[steps];
      this.incremental = avg ? new boolean[steps] : null;
    }
  }

  /** Steps per slice when a batch of series is added into the accumulators on several threads. */
  static final int STEP_SLICE = 32;

  /**
   * Float series waiting to be added into their groups' accumulators, up to a batch of them. The
   * adding is split by step ranges over the engine's threads: each (group, step) accumulator
   * still takes its inputs one thread at a time in series order, so every result, Kahan-summed
   * or not, is bit for bit the one of adding each series as it arrives.
   */
  private static final class PendingRows {
    final AggregateOp op;
    final int steps;
    final Group[] groups = new Group[SeriesLoader.BATCH];
    final double[][] rows = new double[SeriesLoader.BATCH][];
    int n;

    PendingRows(AggregateOp op, int steps) {
      this.op = op;
      this.steps = steps;
    }

    /** Copies one series' values for its group; returns how many are present. */
    int add(Group grp, double[] values) {
      double[] row = rows[n];
      if (row == null) {
        row = rows[n] = new double[steps];
      }
      int present = 0;
      for (int c = 0; c < steps; c++) {
        double f = values[c];
        row[c] = f;
        if (Points.isPresent(f)) {
          present++;
        }
      }
      groups[n++] = grp;
      return present;
    }

    boolean full() {
      return n == groups.length;
    }

    /** Adds every pending series into its group, in series order within each step range. */
    void flush(ParallelSlices slices) {
      int count = n;
      if (count == 0) {
        return;
      }
      slices.run((steps + STEP_SLICE - 1) / STEP_SLICE, k -> {
        int from = k * STEP_SLICE;
        int to = Math.min(steps, from + STEP_SLICE);
        for (int i = 0; i < count; i++) {
          accumulate(op, groups[i], rows[i], from, to);
        }
      });
      Arrays.fill(groups, 0, count, null);
      n = 0;
    }
  }

  private List<StepSeries> streaming(Plan.Aggregate a, List<String> grouping, Grid g) {
    int steps = g.steps();
    AggregateOp op = a.op();
    Map<Labels, Group> byKey = new HashMap<>();
    List<Group> groups = new ArrayList<>();
    if ((op == AggregateOp.SUM || op == AggregateOp.AVG)
        && Functions.unwrapParens(a.expr()) instanceof Plan.Call call) {
      RangeFunction rf = RangeFunction.byName(call.name());
      if (rf == RangeFunction.RATE || rf == RangeFunction.INCREASE || rf == RangeFunction.DELTA) {
        // Its histogram results are only added up here, and the sums compacted.
        ev.summedRangeCall = call;
      }
    }
    ParallelSlices slices = ev.loader.slices();
    // Float series are added on several threads when there are workers and steps enough to share.
    PendingRows pending = slices.parallel() && steps >= 2 * STEP_SLICE ? new PendingRows(op, steps) : null;
    ev.stream(a.expr(), g, s -> {
      ev.control.check();
      Labels key = groupKey(s.labels, grouping, a.without());
      Group grp = byKey.get(key);
      if (grp == null) {
        grp = new Group(key, steps, op == AggregateOp.AVG);
        byKey.put(key, grp);
        groups.add(grp);
      }
      if (pending != null) {
        if (s.hists == null) {
          // Counted and released now, as the sequential path does; the sums follow in the batch.
          int consumed = pending.add(grp, s.values);
          if (consumed > 0 && s.dropName) {
            grp.dropName = true;
          }
          ev.control.releaseSamples(consumed);
          if (pending.full()) {
            pending.flush(slices);
          }
          return false;
        }
        pending.flush(slices);
      }
      int consumed = accumulate(op, grp, s.values, 0, steps);
      if (s.hists != null) {
        consumed += accumulateHistograms(op, grp, s, steps, a.expr().pos());
      }
      if (consumed > 0 && s.dropName) {
        grp.dropName = true;
      }
      ev.control.releaseSamples(consumed);
      return false;
    });
    if (pending != null) {
      pending.flush(slices);
    }
    List<StepSeries> out = new ArrayList<>(groups.size());
    for (Group grp : groups) {
      double[] v = new double[steps];
      int present = 0;
      FloatHistogram[] hv = null;
      for (int step = 0; step < steps; step++) {
        if (grp.hist != null && grp.hist[step] != null) {
          v[step] = Points.ABSENT;
          if (grp.hasFloat[step]) {
            ev.annotations.warn("encountered a mix of histograms and floats for aggregation", a.expr().pos());
          } else if (!grp.incompatible[step]) {
            if (grp.resetSeen[step] && grp.notResetSeen[step]) {
              ev.annotations.warn("conflicting counter resets during histogram aggregation", a.expr().pos());
            }
            if (hv == null) {
              hv = new FloatHistogram[steps];
            }
            hv[step] = grp.acc[step].result().compact(0);
            present++;
          }
          continue;
        }
        if (!grp.seen[step]) {
          v[step] = Points.ABSENT;
          continue;
        }
        present++;
        double n = grp.count[step];
        v[step] = switch (op) {
          case SUM -> grp.value[step] + grp.kahan[step];
          case AVG -> grp.incremental[step]
              ? grp.mean[step] + grp.kahan[step]
              : grp.value[step] / n + grp.kahan[step] / n;
          case COUNT -> n;
          case STDVAR -> grp.value[step] / n;
          case STDDEV -> Math.sqrt(grp.value[step] / n);
          default -> grp.value[step];
        };
      }
      if (present > 0) {
        ev.control.addSamples(present);
        out.add(new StepSeries(grp.labels, grp.dropName, v, hv));
      }
    }
    return out;
  }

  /**
   * Adds one series' histogram points into its group: sum and avg add them up (a group mixing
   * floats and histograms yields nothing), count and group count them, the others ignore them.
   */
  private int accumulateHistograms(AggregateOp op, Group grp, StepSeries s, int steps, int pos) {
    int consumed = 0;
    for (int c = 0; c < steps; c++) {
      FloatHistogram h = s.hists[c];
      if (h == null) {
        continue;
      }
      consumed++;
      switch (op) {
        case COUNT, GROUP -> {
          if (!grp.seen[c]) {
            grp.seen[c] = true;
            grp.count[c] = 1;
            grp.value[c] = 1;
          } else {
            grp.count[c]++;
          }
        }
        case SUM, AVG -> {
          if (grp.hist == null) {
            grp.initHistograms(steps);
          }
          grp.resetSeen[c] |= h.counterResetHint == CounterResetHint.COUNTER_RESET;
          grp.notResetSeen[c] |= h.counterResetHint == CounterResetHint.NOT_COUNTER_RESET;
          grp.seen[c] = true;
          if (grp.incompatible[c]) {
            continue;
          }
          if (grp.acc[c] == null) {
            grp.acc[c] = new HistogramAccumulator(op == AggregateOp.AVG);
            grp.hist[c] = h;
          }
          try {
            int before = grp.acc[c].flags;
            grp.acc[c].add(h);
            if ((grp.acc[c].flags & ~before & FloatHistogram.NHCB_BOUNDS_RECONCILED) != 0) {
              ev.annotations.info("mismatched custom buckets were reconciled during aggregation", pos);
            }
          } catch (HistogramException e) {
            grp.incompatible[c] = true;
            ev.annotations.warn("vector contains a mix of histograms with exponential and custom buckets schemas"
                + " for metric name \"" + s.labels.getOrEmpty(Labels.METRIC_NAME) + "\"", pos);
          }
        }
        default -> ev.annotations.info("ignored histogram in " + op.name().toLowerCase(java.util.Locale.ROOT)
            + " aggregation", pos);
      }
    }
    return consumed;
  }

  /**
   * Adds one series' points at steps [from, to) into its group; returns the number of points
   * consumed. Touches only the group's accumulators at those steps.
   */
  private static int accumulate(AggregateOp op, Group grp, double[] vals, int from, int to) {
    int consumed = 0;
    double[] value = grp.value;
    double[] kahan = grp.kahan;
    double[] mean = grp.mean;
    double[] count = grp.count;
    boolean[] seen = grp.seen;
    for (int c = from; c < to; c++) {
      double f = vals[c];
      if (Points.isAbsent(f)) {
        continue;
      }
      consumed++;
      if (grp.hasFloat != null) {
        grp.hasFloat[c] = true;
      }
      if (!seen[c]) {
        seen[c] = true;
        value[c] = f;
        mean[c] = f;
        count[c] = 1;
        kahan[c] = 0;
        if (op == AggregateOp.STDVAR || op == AggregateOp.STDDEV) {
          value[c] = (Double.isNaN(f) || Double.isInfinite(f)) ? Double.NaN : 0;
        } else if (op == AggregateOp.GROUP) {
          value[c] = 1;
        }
        continue;
      }
      switch (op) {
        case SUM -> {
          double v = value[c];
          kahan[c] = KahanSum.compensation(f, v, kahan[c]);
          value[c] = KahanSum.sum(f, v);
        }
        case AVG -> {
          count[c]++;
          double n = count[c];
          if (!grp.incremental[c]) {
            double v = value[c];
            double newC = KahanSum.compensation(f, v, kahan[c]);
            double newV = KahanSum.sum(f, v);
            if (!Double.isInfinite(newV)) {
              value[c] = newV;
              kahan[c] = newC;
              break;
            }
            grp.incremental[c] = true;
            mean[c] = value[c] / (n - 1);
            kahan[c] /= n - 1;
          }
          double q = (n - 1) / n;
          double inc = f / n;
          double m = q * mean[c];
          double kc = q * kahan[c];
          kahan[c] = KahanSum.compensation(inc, m, kc);
          mean[c] = KahanSum.sum(inc, m);
        }
        case MAX -> {
          if (value[c] < f || Double.isNaN(value[c])) {
            value[c] = f;
          }
        }
        case MIN -> {
          if (value[c] > f || Double.isNaN(value[c])) {
            value[c] = f;
          }
        }
        case COUNT -> count[c]++;
        case GROUP -> {
        }
        case STDVAR, STDDEV -> {
          count[c]++;
          double delta = f - mean[c];
          mean[c] += delta / count[c];
          value[c] += delta * (f - mean[c]);
        }
        default -> throw new IllegalStateException("unexpected aggregation " + op);
      }
    }
    return consumed;
  }

  private List<StepSeries> quantile(
      Plan.Aggregate a, List<StepSeries> in, double[] q, List<String> grouping, Grid g) {
    boolean anyNaN = false;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (double v : q) {
      if (Double.isNaN(v)) {
        anyNaN = true;
      } else {
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
    }
    if (anyNaN) {
      ev.annotations.warn("quantile value should be between 0 and 1, got NaN", a.param().pos());
    }
    if (max > 1) {
      ev.annotations.warn("quantile value should be between 0 and 1, got " + GoFloats.format(max, Notation.V), a.param().pos());
    }
    if (min < 0) {
      ev.annotations.warn("quantile value should be between 0 and 1, got " + GoFloats.format(min, Notation.V), a.param().pos());
    }
    List<Labels> groupLabels = new ArrayList<>();
    int[] groupOf = assignGroups(in, grouping, a.without(), groupLabels);
    int groups = groupLabels.size();
    int steps = g.steps();
    double[][] outValues = new double[groups][];
    boolean[] dropName = new boolean[groups];
    double[] scratch = new double[Math.max(1, in.size())];
    int[] members = new int[in.size()];
    int[] memberStart = new int[groups + 1];
    for (int gi : groupOf) {
      memberStart[gi + 1]++;
    }
    for (int gi = 0; gi < groups; gi++) {
      memberStart[gi + 1] += memberStart[gi];
    }
    int[] fillPos = Arrays.copyOf(memberStart, groups);
    for (int si = 0; si < in.size(); si++) {
      members[fillPos[groupOf[si]]++] = si;
    }
    for (int gi = 0; gi < groups; gi++) {
      outValues[gi] = Points.absentArray(steps);
      for (int step = 0; step < steps; step++) {
        int n = 0;
        for (int k = memberStart[gi]; k < memberStart[gi + 1]; k++) {
          StepSeries s = in.get(members[k]);
          if (s.hist(step) != null) {
            ev.annotations.info("ignored histogram in quantile aggregation", a.expr().pos());
          }
          double v = s.values[step];
          if (Points.isPresent(v)) {
            scratch[n++] = v;
            if (s.dropName) {
              dropName[gi] = true;
            }
          }
        }
        if (n > 0) {
          outValues[gi][step] = Quantiles.quantile(q[step], scratch, n);
        }
      }
    }
    release(in);
    List<StepSeries> out = new ArrayList<>();
    for (int gi = 0; gi < groups; gi++) {
      StepSeries s = new StepSeries(groupLabels.get(gi), dropName[gi], outValues[gi]);
      int present = s.presentCount();
      if (present > 0) {
        ev.control.addSamples(present);
        out.add(s);
      }
    }
    return out;
  }

  private List<StepSeries> countValues(Plan.Aggregate a, Grid g) {
    String valueLabel = ((Plan.StringLiteral) Functions.unwrapParens(a.param())).value();
    if (!LabelNames.isValid(valueLabel)) {
      throw new ExecutionException("invalid label name " + quoteGo(valueLabel));
    }
    List<StepSeries> in = ev.evalVector(a.expr(), g);
    List<String> grouping = new ArrayList<>(a.grouping());
    if (!a.without()) {
      grouping.add(valueLabel);
    }
    java.util.Collections.sort(grouping);
    int steps = g.steps();
    Map<Labels, double[]> out = new LinkedHashMap<>();
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      Map<Labels, double[]> stepCounts = new LinkedHashMap<>();
      for (StepSeries s : in) {
        double f = s.values[step];
        FloatHistogram h = s.hist(step);
        if (Points.isAbsent(f) && h == null) {
          continue;
        }
        String text = h != null ? h.toString() : GoFloats.format(f, Notation.PLAIN);
        Labels withValue = s.labels.toBuilder().set(valueLabel, text).build();
        Labels key = groupKey(withValue, grouping, a.without());
        double[] c = stepCounts.get(key);
        if (c == null) {
          stepCounts.put(key, new double[] {1});
        } else {
          c[0]++;
        }
      }
      for (Map.Entry<Labels, double[]> e : stepCounts.entrySet()) {
        double[] vals = out.computeIfAbsent(e.getKey(), k -> Points.absentArray(steps));
        vals[step] = e.getValue()[0];
      }
    }
    release(in);
    List<StepSeries> result = new ArrayList<>();
    for (Map.Entry<Labels, double[]> e : out.entrySet()) {
      StepSeries s = new StepSeries(e.getKey(), false, e.getValue());
      ev.control.addSamples(s.presentCount());
      result.add(s);
    }
    return result;
  }

  /** Go's %q of a string, printing bytes that are not valid UTF-8 (kept as U+DC00+byte) as \xNN. */
  static String quoteGo(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0xDC80 && c <= 0xDCFF) {
        sb.append("\\x").append(String.format("%02x", c - 0xDC00));
      } else if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

}
