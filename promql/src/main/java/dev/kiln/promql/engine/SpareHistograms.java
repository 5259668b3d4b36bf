package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;
import java.util.ArrayDeque;

/**
 * Histograms of an earlier series to decode the next series' samples into, by positive bucket
 * count: a series keeps its bucket layout from sample to sample, so an instance with the previous
 * sample's count has arrays that fit and decoding allocates nothing. Single-thread.
 */
final class SpareHistograms {
  /** Counts up to this index an array directly; larger ones share the last slot. */
  private static final int SLOTS = 512;

  /** Allocated on the first histogram kept: most buffers only ever read floats. */
  private ArrayDeque<?>[] byCount;
  /** Whether any slot may hold a histogram. */
  private boolean any;

  private static int slot(int positiveBuckets) {
    return Math.min(Math.max(positiveBuckets, 0), SLOTS);
  }

  /** Keeps {@code h}, which nothing else references any more. */
  @SuppressWarnings("unchecked")
  void give(FloatHistogram h) {
    int k = slot(h.positiveBuckets.length);
    if (byCount == null) {
      byCount = new ArrayDeque<?>[SLOTS + 1];
    }
    if (byCount[k] == null) {
      byCount[k] = new ArrayDeque<FloatHistogram>();
    }
    ((ArrayDeque<FloatHistogram>) byCount[k]).push(h);
    any = true;
  }

  /** A kept histogram with {@code positiveBuckets} positive buckets (or more, past the slots), or null. */
  @SuppressWarnings("unchecked")
  FloatHistogram take(int positiveBuckets) {
    if (positiveBuckets < 0 || byCount == null) {
      return null;
    }
    ArrayDeque<FloatHistogram> q = (ArrayDeque<FloatHistogram>) byCount[slot(positiveBuckets)];
    return q == null ? null : q.poll();
  }

  /** Forgets every kept histogram. */
  void clear() {
    if (any) {
      java.util.Arrays.fill(byCount, null);
      any = false;
    }
  }
}
