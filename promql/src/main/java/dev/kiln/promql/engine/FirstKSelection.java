package dev.kiln.promql.engine;

import java.util.Arrays;
import java.util.List;

/**
 * {@code limitk} at one step: each group keeps its first k series in input order, floats and
 * histograms alike. The step ends early once every group has k.
 */
final class FirstKSelection extends StepSelection {
  private final boolean[] complete;
  private int remaining;
  private long k;

  FirstKSelection(List<StepSeries> in, int groups) {
    super(in, groups);
    this.complete = new boolean[groups];
  }

  @Override
  boolean begin(int step, double param) {
    k = Math.min((long) param, in.size());
    if (k < 1) {
      return false;
    }
    clear();
    Arrays.fill(complete, false);
    remaining = groups();
    return true;
  }

  @Override
  boolean offer(int group, int si) {
    slots(group, (int) k);
    if (count(group) < k) {
      append(group, si);
    }
    if (!complete[group] && count(group) == k) {
      complete[group] = true;
      remaining--;
    }
    return remaining == 0;
  }
}
