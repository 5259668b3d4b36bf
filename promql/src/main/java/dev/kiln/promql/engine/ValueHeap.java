package dev.kiln.promql.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Go's {@code container/heap} over series indices, ordered by the series' values at one step:
 * Prometheus's {@code vectorByValueHeap} ({@code reverse} false, for {@code topk}) or
 * {@code vectorByReverseValueHeap} ({@code reverse} true, for {@code bottomk}). A NaN is less
 * than everything, so it is the first to be replaced. Single-thread.
 */
final class ValueHeap {
  private final List<StepSeries> in;
  private final boolean reverse;
  /** The step whose values order the heap. */
  int step;

  ValueHeap(List<StepSeries> in, boolean reverse) {
    this.in = in;
    this.reverse = reverse;
  }

  /** The heap's Less for series a and b. */
  boolean less(int a, int b) {
    double va = in.get(a).values[step];
    double vb = in.get(b).values[step];
    if (Double.isNaN(va)) {
      return true;
    }
    return reverse ? va > vb : va < vb;
  }

  /** Go's heap.up: moves entry j towards the root. */
  void up(int[] h, int j) {
    while (true) {
      int i = (j - 1) / 2;
      if (i == j || !less(h[j], h[i])) {
        break;
      }
      swap(h, i, j);
      j = i;
    }
  }

  /** Go's heap.down over the first n entries: moves entry i0 towards the leaves. */
  void down(int[] h, int i0, int n) {
    int i = i0;
    while (true) {
      int j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) {
        break;
      }
      int j = j1;
      int j2 = j1 + 1;
      if (j2 < n && less(h[j2], h[j1])) {
        j = j2;
      }
      if (!less(h[j], h[i])) {
        break;
      }
      swap(h, i, j);
      i = j;
    }
  }

  /** Go's {@code sort.Sort(sort.Reverse(heap))} of the first n entries: insertion sort when small, as Go. */
  void sortReversed(int[] h, int n) {
    if (n <= 12) {
      for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && less(h[j - 1], h[j]); j--) {
          swap(h, j, j - 1);
        }
      }
      return;
    }
    Integer[] boxed = new Integer[n];
    for (int i = 0; i < n; i++) {
      boxed[i] = h[i];
    }
    Arrays.sort(boxed, (a, b) -> {
      boolean ab = less(b, a);
      boolean ba = less(a, b);
      return ab == ba ? 0 : (ab ? -1 : 1);
    });
    for (int i = 0; i < n; i++) {
      h[i] = boxed[i];
    }
  }

  private static void swap(int[] h, int i, int j) {
    int t = h[i];
    h[i] = h[j];
    h[j] = t;
  }
}
