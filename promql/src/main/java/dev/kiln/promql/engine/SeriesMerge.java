package dev.kiln.promql.engine;

import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;

/** Merging of series whose label sets became equal (after label functions or name removal). */
final class SeriesMerge {
  private SeriesMerge() {}

  /**
   * Merges series whose label sets became equal; fails with Prometheus's duplicate-labelset
   * error when two of them have a point at the same step.
   */
  static List<StepSeries> mergeSameLabels(List<StepSeries> vec) {
    if (vec.size() <= 1) {
      return vec;
    }
    java.util.HashMap<Labels, StepSeries> byLabels = new java.util.HashMap<>();
    List<StepSeries> out = new ArrayList<>(vec.size());
    for (StepSeries s : vec) {
      StepSeries prev = byLabels.putIfAbsent(s.labels, s);
      if (prev == null) {
        out.add(s);
        continue;
      }
      double[] a = prev.values;
      double[] b = s.values;
      for (int i = 0; i < a.length; i++) {
        if (s.hasPoint(i)) {
          if (prev.hasPoint(i)) {
            throw Evaluator.duplicateLabelset();
          }
          if (Points.isPresent(b[i])) {
            a[i] = b[i];
          } else {
            prev.setHist(i, s.hist(i));
          }
        }
      }
      prev.dropName = prev.dropName || s.dropName;
    }
    return out;
  }
}
