package dev.kiln.promql.engine;

import java.util.List;

/**
 * {@code topk} and {@code bottomk} at one step: each group keeps its k largest (smallest) float
 * samples in a heap with Go's {@code container/heap} algorithm, so ties resolve as in Prometheus,
 * and outputs them in Prometheus's order. Histogram samples are ignored with an info annotation.
 */
final class RankingSelection extends StepSelection {
  private final boolean bottom;
  private final ValueHeap heap;
  private final Annotations annotations;
  private final String ignoredHistogram;
  private final int pos;
  private long k;

  RankingSelection(List<StepSeries> in, int groups, boolean bottom, Annotations annotations, int pos) {
    super(in, groups);
    this.bottom = bottom;
    this.heap = new ValueHeap(in, bottom);
    this.annotations = annotations;
    this.ignoredHistogram = "ignored histogram in " + (bottom ? "bottomk" : "topk") + " aggregation";
    this.pos = pos;
  }

  @Override
  boolean begin(int step, double param) {
    k = Math.min((long) param, in.size());
    if (k < 1) {
      return false;
    }
    heap.step = step;
    clear();
    return true;
  }

  @Override
  boolean accepts(StepSeries s, int step) {
    if (Points.isPresent(s.values[step])) {
      return true;
    }
    if (s.hist(step) != null) {
      annotations.info(ignoredHistogram, pos);
    }
    return false;
  }

  @Override
  boolean offer(int group, int si) {
    int[] h = slots(group, (int) k);
    int n = count(group);
    if (n < k) {
      heap.up(h, append(group, si));
      return false;
    }
    double top = in.get(h[0]).values[heap.step];
    double f = in.get(si).values[heap.step];
    if ((bottom ? top > f : top < f) || (Double.isNaN(top) && !Double.isNaN(f))) {
      h[0] = si;
      if (k > 1) {
        heap.down(h, 0, n);
      }
    }
    return false;
  }

  @Override
  void finish() {
    for (int gi = 0; gi < groups(); gi++) {
      if (count(gi) > 0) {
        heap.sortReversed(kept(gi), count(gi));
      }
    }
  }
}
