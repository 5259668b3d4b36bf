package dev.kiln.promql.engine;

import java.util.List;

/**
 * {@code limit_ratio} at one step: a series is kept when {@link RatioSampler} puts its labels'
 * hash inside the ratio (capped to [-1, 1]), so the same series are kept at every step and by
 * Prometheus.
 */
final class RatioSelection extends StepSelection {
  private double ratio;

  RatioSelection(List<StepSeries> in, int groups) {
    super(in, groups);
  }

  @Override
  boolean begin(int step, double param) {
    if (param == 0) {
      return false;
    }
    ratio = Math.max(-1.0, Math.min(1.0, param));
    clear();
    return true;
  }

  @Override
  boolean offer(int group, int si) {
    slots(group, in.size());
    if (RatioSampler.add(ratio, in.get(si).labels)) {
      append(group, si);
    }
    return false;
  }
}
