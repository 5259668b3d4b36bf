package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what a selecting aggregation keeps, step by step, into its output series: each kept
 * input series keeps its labels and gets its point at the steps where it was kept. A range query
 * lists series in the order they were first kept; an instant query lists them in selection order
 * (Prometheus's order for {@code topk} and the like). Single-thread.
 */
final class SelectedSeries {
  private final int steps;
  private final boolean instant;
  private final Map<StepSeries, double[]> values = new LinkedHashMap<>();
  private final Map<StepSeries, FloatHistogram[]> hists = new HashMap<>();
  private final List<StepSeries> instantOrder = new ArrayList<>();

  SelectedSeries(int steps, boolean instant) {
    this.steps = steps;
    this.instant = instant;
  }

  /** Keeps the point of every series {@code selection} chose at {@code step}, group by group. */
  void keep(StepSelection selection, int step) {
    for (int gi = 0; gi < selection.groups(); gi++) {
      int[] kept = selection.kept(gi);
      for (int h = 0; h < selection.count(gi); h++) {
        keep(selection.in.get(kept[h]), step);
      }
    }
  }

  private void keep(StepSeries s, int step) {
    double[] vals = values.get(s);
    if (vals == null) {
      vals = Points.absentArray(steps);
      values.put(s, vals);
    }
    vals[step] = s.values[step];
    if (s.hist(step) != null) {
      hists.computeIfAbsent(s, k -> new FloatHistogram[steps])[step] = s.hist(step);
    }
    if (instant) {
      instantOrder.add(s);
    }
  }

  /** The output series, counted against the query's sample limit. */
  List<StepSeries> result(QueryControl control) {
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : instant ? instantOrder : values.keySet()) {
      StepSeries o = new StepSeries(s.labels, s.dropName, values.get(s), hists.get(s));
      control.addSamples(o.presentCount());
      out.add(o);
    }
    return out;
  }
}
