package dev.kiln.promql.engine;

import dev.kiln.promql.ExecutionException;
import dev.kiln.promql.ast.AggregateOp;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregations that select input series rather than combine them: {@code topk},
 * {@code bottomk}, {@code limitk} and {@code limit_ratio}. They keep the input labels; per step
 * and group they keep k series using Go's heap algorithm, so ties resolve as in Prometheus, and an
 * instant query returns them in Prometheus's order.
 */
final class SelectingAggregation {
  private final Evaluator ev;

  SelectingAggregation(Evaluator ev) {
    this.ev = ev;
  }

  private void release(List<StepSeries> in) {
    long n = 0;
    for (StepSeries s : in) {
      n += s.presentCount();
    }
    ev.control.releaseSamples(n);
  }

  List<StepSeries> eval(
      Plan.Aggregate a, List<StepSeries> in, double[] param, List<String> grouping, Grid g) {
    AggregateOp op = a.op();
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    boolean anyNaN = false;
    for (double v : param) {
      if (Double.isNaN(v)) {
        anyNaN = true;
      }
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    if (op == AggregateOp.LIMIT_RATIO) {
      if (max == 0 && min == 0) {
        release(in);
        return new ArrayList<>();
      }
      if (anyNaN) {
        throw new ExecutionException("Ratio value is NaN");
      }
      if (max > 1.0) {
        ev.annotations.warn("ratio value should be between -1 and 1, got " + GoFloats.format(max, Notation.V)
            + ", capping to 1", a.param().pos());
      }
      if (min < -1.0) {
        ev.annotations.warn("ratio value should be between -1 and 1, got " + GoFloats.format(min, Notation.V)
            + ", capping to -1", a.param().pos());
      }
    } else {
      if (!anyNaN && max < 1) {
        release(in);
        return new ArrayList<>();
      }
      if (anyNaN) {
        throw new ExecutionException("Parameter value is NaN");
      }
      if (min <= -9.223372036854775807E18) {
        throw new ExecutionException("Scalar value " + GoFloats.format(min, Notation.V) + " underflows int64");
      }
      if (max >= 9.223372036854775807E18) {
        throw new ExecutionException("Scalar value " + GoFloats.format(max, Notation.V) + " overflows int64");
      }
    }
    List<Labels> groupLabels = new ArrayList<>();
    int[] groupOf = Aggregations.assignGroups(in, grouping, a.without(), groupLabels);
    int groups = groupLabels.size();
    int steps = g.steps();
    Map<StepSeries, double[]> outValues = new LinkedHashMap<>();
    Map<StepSeries, FloatHistogram[]> outHists = new java.util.HashMap<>();
    List<StepSeries> instantOrder = new ArrayList<>();
    int[][] heaps = new int[groups][];
    int[] heapSize = new int[groups];
    boolean[] seen = new boolean[groups];
    for (int step = 0; step < steps; step++) {
      ev.control.check();
      double fParam = param[step];
      long k = 0;
      double r = 0;
      if (op == AggregateOp.LIMIT_RATIO) {
        if (fParam == 0) {
          continue;
        }
        r = Math.max(-1.0, Math.min(1.0, fParam));
      } else {
        k = Math.min((long) fParam, in.size());
        if (k < 1) {
          continue;
        }
      }
      Arrays.fill(seen, false);
      Arrays.fill(heapSize, 0);
      int groupsRemaining = groups;
      boolean[] complete = new boolean[groups];
      for (int si = 0; si < in.size(); si++) {
        StepSeries s = in.get(si);
        double f = s.values[step];
        if (Points.isAbsent(f)) {
          if (s.hist(step) == null) {
            continue;
          }
          if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
            ev.annotations.info("ignored histogram in " + op.name().toLowerCase(java.util.Locale.ROOT)
                + " aggregation", a.expr().pos());
            continue;
          }
        }
        int gi = groupOf[si];
        if (heaps[gi] == null || heaps[gi].length < Math.max(1, (int) Math.min(k, in.size()))) {
          heaps[gi] = new int[Math.max(1, op == AggregateOp.LIMIT_RATIO ? in.size() : (int) Math.min(k, in.size()))];
        }
        int[] heap = heaps[gi];
        final int stepF = step;
        if (!seen[gi]) {
          seen[gi] = true;
          heapSize[gi] = 0;
          switch (op) {
            case LIMIT_RATIO -> {
              if (RatioSampler.add(r, s.labels)) {
                heap[heapSize[gi]++] = si;
              }
            }
            case LIMITK -> heap[heapSize[gi]++] = si;
            case TOPK -> push(heap, heapSize[gi]++, si, in, stepF, false);
            case BOTTOMK -> push(heap, heapSize[gi]++, si, in, stepF, true);
            default -> throw new IllegalStateException();
          }
          if (op == AggregateOp.LIMITK && heapSize[gi] == k && !complete[gi]) {
            complete[gi] = true;
            groupsRemaining--;
            if (groupsRemaining == 0) {
              break;
            }
          }
          continue;
        }
        switch (op) {
          case TOPK -> {
            double top = in.get(heap[0]).values[step];
            if (heapSize[gi] < k) {
              push(heap, heapSize[gi]++, si, in, stepF, false);
            } else if (top < f || (Double.isNaN(top) && !Double.isNaN(f))) {
              heap[0] = si;
              if (k > 1) {
                down(heap, 0, heapSize[gi], in, stepF, false);
              }
            }
          }
          case BOTTOMK -> {
            double top = in.get(heap[0]).values[step];
            if (heapSize[gi] < k) {
              push(heap, heapSize[gi]++, si, in, stepF, true);
            } else if (top > f || (Double.isNaN(top) && !Double.isNaN(f))) {
              heap[0] = si;
              if (k > 1) {
                down(heap, 0, heapSize[gi], in, stepF, true);
              }
            }
          }
          case LIMITK -> {
            if (heapSize[gi] < k) {
              heap[heapSize[gi]++] = si;
            }
            if (!complete[gi] && heapSize[gi] == k) {
              complete[gi] = true;
              groupsRemaining--;
            }
          }
          case LIMIT_RATIO -> {
            if (RatioSampler.add(r, s.labels)) {
              heap[heapSize[gi]++] = si;
            }
          }
          default -> throw new IllegalStateException();
        }
        if (op == AggregateOp.LIMITK && groupsRemaining == 0) {
          break;
        }
      }
      for (int gi = 0; gi < groups; gi++) {
        if (!seen[gi]) {
          continue;
        }
        int[] heap = heaps[gi];
        int n = heapSize[gi];
        if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
          sortHeapReversed(heap, n, in, step, op == AggregateOp.BOTTOMK);
        }
        for (int h = 0; h < n; h++) {
          StepSeries s = in.get(heap[h]);
          double[] vals = outValues.get(s);
          if (vals == null) {
            vals = Points.absentArray(steps);
            outValues.put(s, vals);
          }
          vals[step] = s.values[step];
          if (s.hist(step) != null) {
            outHists.computeIfAbsent(s, k2 -> new FloatHistogram[steps])[step] = s.hist(step);
          }
          if (g.isInstant()) {
            instantOrder.add(s);
          }
        }
      }
    }
    release(in);
    List<StepSeries> out = new ArrayList<>();
    Iterable<StepSeries> order = g.isInstant() ? instantOrder : outValues.keySet();
    for (StepSeries s : order) {
      StepSeries o = new StepSeries(s.labels, s.dropName, outValues.get(s), outHists.get(s));
      ev.control.addSamples(o.presentCount());
      out.add(o);
    }
    return out;
  }

  /** Less of Go's vectorByValueHeap (reverse=false) or vectorByReverseValueHeap (reverse=true). */
  private static boolean less(int a, int b, List<StepSeries> in, int step, boolean reverse) {
    double va = in.get(a).values[step];
    double vb = in.get(b).values[step];
    if (Double.isNaN(va)) {
      return true;
    }
    return reverse ? va > vb : va < vb;
  }

  private static void push(int[] heap, int n, int si, List<StepSeries> in, int step, boolean reverse) {
    heap[n] = si;
    up(heap, n, in, step, reverse);
  }

  private static void up(int[] h, int j, List<StepSeries> in, int step, boolean reverse) {
    while (true) {
      int i = (j - 1) / 2;
      if (i == j || !less(h[j], h[i], in, step, reverse)) {
        break;
      }
      int t = h[i];
      h[i] = h[j];
      h[j] = t;
      j = i;
    }
  }

  private static void down(int[] h, int i0, int n, List<StepSeries> in, int step, boolean reverse) {
    int i = i0;
    while (true) {
      int j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) {
        break;
      }
      int j = j1;
      int j2 = j1 + 1;
      if (j2 < n && less(h[j2], h[j1], in, step, reverse)) {
        j = j2;
      }
      if (!less(h[j], h[i], in, step, reverse)) {
        break;
      }
      int t = h[i];
      h[i] = h[j];
      h[j] = t;
      i = j;
    }
  }

  /** Go's sort.Sort(sort.Reverse(heap)): insertion sort for small inputs, as Go does. */
  private static void sortHeapReversed(int[] h, int n, List<StepSeries> in, int step, boolean reverse) {
    if (n <= 12) {
      for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && less(h[j - 1], h[j], in, step, reverse); j--) {
          int t = h[j];
          h[j] = h[j - 1];
          h[j - 1] = t;
        }
      }
      return;
    }
    Integer[] boxed = new Integer[n];
    for (int i = 0; i < n; i++) {
      boxed[i] = h[i];
    }
    Arrays.sort(boxed, (a, b) -> {
      boolean ab = less(b, a, in, step, reverse);
      boolean ba = less(a, b, in, step, reverse);
      return ab == ba ? 0 : (ab ? -1 : 1);
    });
    for (int i = 0; i < n; i++) {
      h[i] = boxed[i];
    }
  }
}
