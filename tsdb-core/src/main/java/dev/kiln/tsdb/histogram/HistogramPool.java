package dev.kiln.tsdb.histogram;

import java.util.ArrayDeque;

/**
 * Float histograms and their bucket and span arrays handed back once nobody references them, to
 * be filled again: a computation that produces one histogram per step (a rate over histograms)
 * and whose consumer only reads each result (a sum) then allocates nothing per result once the
 * pool holds arrays of the lengths it needs. Arrays are kept by exact length, since a histogram's
 * array lengths are its bucket counts. Custom bounds are shared between histograms and never
 * pooled. Not thread-safe.
 */
public final class HistogramPool {
  /** Longer arrays are not pooled (a histogram has at most a few hundred buckets per side). */
  private static final int MAX_LENGTH = 1024;

  private final ArrayDeque<FloatHistogram> instances = new ArrayDeque<>();
  private final ArrayDeque<?>[] doubles = new ArrayDeque<?>[MAX_LENGTH + 1];
  private final ArrayDeque<?>[] spans = new ArrayDeque<?>[MAX_LENGTH + 1];

  /** A histogram instance whose fields are arbitrary (the caller sets all of them). */
  public FloatHistogram take() {
    FloatHistogram h = instances.poll();
    return h != null ? h : new FloatHistogram();
  }

  /** A count array of length {@code n} with arbitrary contents (the shared empty array for 0). */
  @SuppressWarnings("unchecked")
  public double[] doubles(int n) {
    if (n == 0) {
      return IndexedBuckets.NO_BUCKETS;
    }
    if (n <= MAX_LENGTH && doubles[n] != null) {
      double[] a = ((ArrayDeque<double[]>) doubles[n]).poll();
      if (a != null) {
        return a;
      }
    }
    return new double[n];
  }

  /**
   * A span array of length {@code n} holding arbitrary spans (the shared empty array for 0); a
   * caller may keep an element that equals the span it needs, since spans are immutable.
   */
  @SuppressWarnings("unchecked")
  public Span[] spans(int n) {
    if (n == 0) {
      return IndexedBuckets.NO_SPANS;
    }
    if (n <= MAX_LENGTH && spans[n] != null) {
      Span[] a = ((ArrayDeque<Span[]>) spans[n]).poll();
      if (a != null) {
        return a;
      }
    }
    return new Span[n];
  }

  /**
   * Hands {@code h} and its bucket and span arrays back. The caller guarantees that nothing
   * references any of them any more and that no other histogram shares these arrays.
   */
  public void recycle(FloatHistogram h) {
    giveArrays(h);
    h.customValues = null;
    instances.push(h);
  }

  /** Hands back the bucket and span arrays of {@code h} (not {@code h} itself), under the terms of {@link #recycle}. */
  void giveArrays(FloatHistogram h) {
    give(h.positiveBuckets);
    give(h.negativeBuckets);
    give(h.positiveSpans);
    give(h.negativeSpans);
    h.positiveBuckets = IndexedBuckets.NO_BUCKETS;
    h.negativeBuckets = IndexedBuckets.NO_BUCKETS;
    h.positiveSpans = IndexedBuckets.NO_SPANS;
    h.negativeSpans = IndexedBuckets.NO_SPANS;
  }

  @SuppressWarnings("unchecked")
  void give(double[] a) {
    int n = a.length;
    if (n == 0 || n > MAX_LENGTH) {
      return;
    }
    if (doubles[n] == null) {
      doubles[n] = new ArrayDeque<double[]>();
    }
    ((ArrayDeque<double[]>) doubles[n]).push(a);
  }

  @SuppressWarnings("unchecked")
  void give(Span[] a) {
    int n = a.length;
    if (n == 0 || n > MAX_LENGTH) {
      return;
    }
    if (spans[n] == null) {
      spans[n] = new ArrayDeque<Span[]>();
    }
    ((ArrayDeque<Span[]>) spans[n]).push(a);
  }
}
