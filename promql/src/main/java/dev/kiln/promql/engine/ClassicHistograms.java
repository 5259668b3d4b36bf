package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code histogram_quantile} and {@code histogram_fraction} over classic histograms: series that
 * differ only in their {@code le} label form one histogram, evaluated per step from the buckets
 * present at that step.
 */
final class ClassicHistograms {
  private ClassicHistograms() {}

  private static final class Group {
    final Labels labels;
    final double[] values;
    boolean dropName = true;
    int present;

    Group(Labels labels, int steps) {
      this.labels = labels;
      this.values = Points.absentArray(steps);
    }
  }

  private interface BucketFunction {
    double apply(int step, double[] upper, double[] count, int n, Group group);
  }

  /**
   * The same function over one native histogram: its value, and apart from it the annotation the
   * value calls for, which is reported only for points that end up in the result.
   */
  private interface NativeFunction {
    double apply(int step, FloatHistogram h);

    /** The annotation the last {@link #apply} calls for, as a code; 0 for none. */
    int note();

    /** Reports the annotation of a non-zero {@link #note} for a series with these labels. */
    void report(int note, Labels labels);
  }

  private static NativeFunction nativeQuantile(Evaluator ev, double[] q, Plan vecArg) {
    return new NativeFunction() {
      private final HistogramStats.NaNEffect[] nan = new HistogramStats.NaNEffect[1];

      @Override
      public double apply(int step, FloatHistogram h) {
        return HistogramStats.quantile(q[step], h, nan);
      }

      @Override
      public int note() {
        return nan[0] == HistogramStats.NaNEffect.RESULT_NAN ? 1 : nan[0] == HistogramStats.NaNEffect.SKEWED ? 2 : 0;
      }

      @Override
      public void report(int note, Labels labels) {
        String name = labels.getOrEmpty(Labels.METRIC_NAME);
        String suffix = name.isEmpty() ? "" : " for metric name \"" + name + "\"";
        if (note == 1) {
          ev.annotations.info("input to histogram_quantile has NaN observations, result is NaN" + suffix, vecArg.pos());
        } else {
          ev.annotations.info(
              "input to histogram_quantile has NaN observations, result is skewed higher" + suffix, vecArg.pos());
        }
      }
    };
  }

  static List<StepSeries> quantile(Evaluator ev, Plan.Call c, Grid g) {
    double[] q = ev.evalScalar(c.args().get(0), g);
    Plan vecArg = c.args().get(1);
    for (double qv : q) {
      if (Double.isNaN(qv) || qv < 0 || qv > 1) {
        ev.annotations.warn(
            "quantile value should be between 0 and 1, got " + GoFloats.format(qv, Notation.V), c.args().get(0).pos());
      }
    }
    Quantiles.BucketResult result = new Quantiles.BucketResult();
    return evaluate(ev, sink -> ev.stream(vecArg, g, sink), vecArg, g, nativeQuantile(ev, q, vecArg),
        (step, upper, count, n, group) -> {
      Quantiles.bucketQuantile(q[step], upper, count, n, result);
      if (result.forcedMonotonic) {
        ev.annotations.info(
            "input to histogram_quantile needed to be fixed for monotonicity (see "
                + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) "
                + "for metric name \"" + group.labels.getOrEmpty(Labels.METRIC_NAME) + "\"",
            vecArg.pos());
      }
      return result.value;
    });
  }

  /** histogram_quantiles(v, "label", q0, q1, ...): one output series per group and quantile. */
  static List<StepSeries> quantiles(Evaluator ev, Plan.Call c, Grid g) {
    Plan vecArg = c.args().get(0);
    String label = ((Plan.StringLiteral) Functions.unwrapParens(c.args().get(1))).value();
    List<double[]> qs = new ArrayList<>();
    for (int i = 2; i < c.args().size(); i++) {
      double[] q = ev.evalScalar(c.args().get(i), g);
      for (double qv : q) {
        if (Double.isNaN(qv) || qv < 0 || qv > 1) {
          ev.annotations.warn(
              "quantile value should be between 0 and 1, got " + GoFloats.format(qv, Notation.V), c.args().get(i).pos());
        }
      }
      qs.add(q);
    }
    List<StepSeries> vec = ev.evalVector(vecArg, g);
    List<StepSeries> out = new ArrayList<>();
    Quantiles.BucketResult result = new Quantiles.BucketResult();
    for (int qi = 0; qi < qs.size(); qi++) {
      double[] q = qs.get(qi);
      List<StepSeries> copy = new ArrayList<>(vec.size());
      for (StepSeries s : vec) {
        copy.add(new StepSeries(s.labels, s.dropName, s.values.clone(), s.hists));
      }
      List<StepSeries> part = evaluate(ev, sink -> copy.forEach(sink::accept), vecArg, g, nativeQuantile(ev, q, vecArg),
          (step, upper, count, n, group) -> {
        Quantiles.bucketQuantile(q[step], upper, count, n, result);
        if (result.forcedMonotonic) {
          ev.annotations.info(
              "input to histogram_quantile needed to be fixed for monotonicity (see "
                  + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) "
                  + "for metric name \"" + group.labels.getOrEmpty(Labels.METRIC_NAME) + "\"",
              vecArg.pos());
        }
        return result.value;
      });
      for (StepSeries s : part) {
        s.labels = s.labels.toBuilder().set(label, openMetricsFloat(q[0])).build();
        out.add(s);
      }
    }
    return SeriesMerge.mergeSameLabels(out);
  }

  /** Prometheus's labels.FormatOpenMetricsFloat. */
  static String openMetricsFloat(double f) {
    if (Double.isNaN(f)) {
      return "NaN";
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    String s = GoFloats.format(f, Notation.V);
    if (f == Math.rint(f) && !s.contains("e") && !s.contains(".")) {
      return s + ".0";
    }
    return s;
  }

  static List<StepSeries> fraction(Evaluator ev, Plan.Call c, Grid g) {
    double[] lower = ev.evalScalar(c.args().get(0), g);
    double[] upper = ev.evalScalar(c.args().get(1), g);
    Plan vecArg = c.args().get(2);
    NativeFunction nativeFraction = new NativeFunction() {
      private boolean nanSum;

      @Override
      public double apply(int step, FloatHistogram h) {
        nanSum = Double.isNaN(h.sum);
        return HistogramStats.fraction(lower[step], upper[step], h);
      }

      @Override
      public int note() {
        return nanSum ? 1 : 0;
      }

      @Override
      public void report(int note, Labels labels) {
        String name = labels.getOrEmpty(Labels.METRIC_NAME);
        ev.annotations.info("input to histogram_fraction has NaN observations, which are excluded from all fractions"
            + (name.isEmpty() ? "" : " for metric name \"" + name + "\""), vecArg.pos());
      }
    };
    return evaluate(ev, sink -> ev.stream(vecArg, g, sink), vecArg, g, nativeFraction,
        (step, ub, count, n, group) -> Quantiles.bucketFraction(lower[step], upper[step], ub, count, n));
  }

  /** One native-histogram series' values, computed as it streamed by, and the annotations they call for. */
  private record NativeValues(Labels labels, double[] values, byte[] notes) {}

  /**
   * Evaluates over the series {@code input} streams into its sink: a native histogram's values
   * are computed as its series passes (so the producer may reuse its histograms), series with
   * float points are kept for the classic groups, and a native point is dropped where a classic
   * group with the same labels has buckets at that step.
   */
  private static List<StepSeries> evaluate(
      Evaluator ev, java.util.function.Consumer<SeriesSink> input, Plan vecArg, Grid g,
      NativeFunction nativeFn, BucketFunction fn) {
    int steps = g.steps();
    List<StepSeries> vec = new ArrayList<>();
    List<NativeValues> natives = new ArrayList<>();
    long[] released = new long[1];
    input.accept(s -> {
      ev.control.check();
      if (s.hists != null) {
        double[] v = null;
        byte[] notes = null;
        int points = 0;
        for (int step = 0; step < steps; step++) {
          FloatHistogram h = s.hists[step];
          if (h == null) {
            continue;
          }
          if (v == null) {
            v = Points.absentArray(steps);
          }
          v[step] = Points.fromStorage(nativeFn.apply(step, h));
          points++;
          int note = nativeFn.note();
          if (note != 0) {
            if (notes == null) {
              notes = new byte[steps];
            }
            notes[step] = (byte) note;
          }
        }
        if (v != null) {
          natives.add(new NativeValues(s.labels, v, notes));
        }
        if (!hasFloat(s)) {
          released[0] += points;
          return false;
        }
      }
      vec.add(s);
      return true;
    });
    ev.control.releaseSamples(released[0]);
    Map<Labels, Group> groups = new HashMap<>();
    List<Group> order = new ArrayList<>();
    Group[] groupOf = new Group[vec.size()];
    double[] upperOf = new double[vec.size()];
    for (int i = 0; i < vec.size(); i++) {
      StepSeries s = vec.get(i);
      boolean anyFloat = false;
      for (double v : s.values) {
        if (Points.isPresent(v)) {
          anyFloat = true;
          break;
        }
      }
      if (!anyFloat) {
        continue;
      }
      String le = s.labels.get("le");
      Double ub = le == null ? null : parseGoFloat(le);
      if (ub == null) {
        ev.annotations.warn(
            "bucket label \"le\" is missing or has a malformed value of \"" + (le == null ? "" : le)
                + "\" for metric name \"" + s.labels.getOrEmpty(Labels.METRIC_NAME) + "\"",
            vecArg.pos());
        continue;
      }
      Labels key = s.labels.without(List.of("le"));
      Group grp = groups.get(key);
      if (grp == null) {
        grp = new Group(key, steps);
        groups.put(key, grp);
        order.add(grp);
      }
      groupOf[i] = grp;
      upperOf[i] = ub;
    }
    // Members of each group, so each step visits every series once.
    Map<Group, List<Integer>> memberLists = new HashMap<>();
    for (int i = 0; i < vec.size(); i++) {
      if (groupOf[i] != null) {
        memberLists.computeIfAbsent(groupOf[i], k -> new ArrayList<>()).add(i);
      }
    }
    int[][] members = new int[order.size()][];
    int maxBuckets = 1;
    for (int gi = 0; gi < order.size(); gi++) {
      List<Integer> m = memberLists.get(order.get(gi));
      members[gi] = m.stream().mapToInt(Integer::intValue).toArray();
      maxBuckets = Math.max(maxBuckets, members[gi].length);
    }
    double[] upper = new double[maxBuckets];
    double[] count = new double[maxBuckets];
    // Native histograms whose labels equal a classic group's: both are dropped at steps where both exist.
    Map<Group, List<NativeValues>> conflicts = new HashMap<>();
    for (NativeValues nat : natives) {
      Group grp = groups.get(nat.labels);
      if (grp != null) {
        conflicts.computeIfAbsent(grp, k -> new ArrayList<>()).add(nat);
      }
    }
    java.util.IdentityHashMap<NativeValues, boolean[]> suppressed = new java.util.IdentityHashMap<>();
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      for (int gi = 0; gi < order.size(); gi++) {
        Group grp = order.get(gi);
        int n = 0;
        for (int i : members[gi]) {
          double v = vec.get(i).values[step];
          if (Points.isPresent(v)) {
            upper[n] = upperOf[i];
            count[n] = v;
            n++;
          }
        }
        if (n > 0 && conflicts.containsKey(grp)) {
          boolean mixed = false;
          for (NativeValues nat : conflicts.get(grp)) {
            if (Points.isPresent(nat.values[step])) {
              mixed = true;
              suppressed.computeIfAbsent(nat, k -> new boolean[steps])[step] = true;
            }
          }
          if (mixed) {
            ev.annotations.warn("vector contains a mix of classic and native histograms for metric name \""
                + grp.labels.getOrEmpty(Labels.METRIC_NAME) + "\"", vecArg.pos());
            continue;
          }
        }
        if (n > 0) {
          grp.values[step] = fn.apply(step, upper, count, n, grp);
          grp.present++;
        }
      }
    }
    long keptPoints = 0;
    for (StepSeries s : vec) {
      keptPoints += s.presentCount();
    }
    ev.control.releaseSamples(keptPoints);
    List<StepSeries> out = new ArrayList<>();
    for (NativeValues nat : natives) {
      boolean[] skip = suppressed.get(nat);
      double[] v = nat.values;
      int present = 0;
      for (int step = 0; step < steps; step++) {
        if (!Points.isPresent(v[step])) {
          continue;
        }
        if (skip != null && skip[step]) {
          v[step] = Points.ABSENT;
          continue;
        }
        if (nat.notes != null && nat.notes[step] != 0) {
          nativeFn.report(nat.notes[step], nat.labels);
        }
        present++;
      }
      if (present > 0) {
        ev.control.addSamples(present);
        out.add(new StepSeries(nat.labels, true, v));
      }
    }
    for (Group grp : order) {
      if (grp.present > 0) {
        ev.control.addSamples(grp.present);
        out.add(new StepSeries(grp.labels, grp.dropName, grp.values));
      }
    }
    return out;
  }

  private static boolean hasFloat(StepSeries s) {
    for (double v : s.values) {
      if (Points.isPresent(v)) {
        return true;
      }
    }
    return false;
  }

  /** Go's strconv.ParseFloat for bucket bounds (hex floats included); null when malformed. */
  static Double parseGoFloat(String s) {
    try {
      return GoFloats.parse(s, true);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
