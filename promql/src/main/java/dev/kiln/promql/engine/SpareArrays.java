package dev.kiln.promql.engine;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Per-step value arrays of one length, recycled between the query's thread and its workers: a
 * kernel takes one for a series' output, and the query's thread gives it back when no operator
 * kept it (an aggregation only reads its input). At most a batch's worth is ever outstanding.
 * Thread-safe.
 */
final class SpareArrays {
  private final int length;
  private final ConcurrentLinkedQueue<double[]> spare = new ConcurrentLinkedQueue<>();

  SpareArrays(int length) {
    this.length = length;
  }

  /** A spare array, or a new one; its contents are arbitrary. */
  double[] take() {
    double[] a = spare.poll();
    return a != null ? a : new double[length];
  }

  /** Gives back an array nobody references any more. */
  void give(double[] a) {
    spare.offer(a);
  }
}
