package dev.kiln.server.remote;

import dev.kiln.tsdb.model.Labels;

/**
 * A bounded first-in, first-out buffer of samples waiting to be sent: labels, timestamp and value
 * in parallel arrays used as a ring. Not thread-safe; its {@link Shard} guards it.
 */
final class PendingSamples {
  private final Labels[] labels;
  private final long[] timestamps;
  private final double[] values;
  private int head;
  private int size;

  PendingSamples(int capacity) {
    labels = new Labels[capacity];
    timestamps = new long[capacity];
    values = new double[capacity];
  }

  int size() {
    return size;
  }

  int capacity() {
    return labels.length;
  }

  /** Adds a sample; false when the buffer is full. */
  boolean offer(Labels l, long t, double v) {
    if (size == labels.length) {
      return false;
    }
    int i = (head + size) % labels.length;
    labels[i] = l;
    timestamps[i] = t;
    values[i] = v;
    size++;
    return true;
  }

  /** Moves up to {@code max} of the oldest samples into {@code out}. */
  void drainTo(Batch out, int max) {
    int n = Math.min(max, size);
    for (int k = 0; k < n; k++) {
      out.add(labels[head], timestamps[head], values[head]);
      labels[head] = null;
      head = (head + 1) % labels.length;
    }
    size -= n;
  }

  /** Samples taken from the buffer for one request. */
  static final class Batch {
    final Labels[] labels;
    final long[] timestamps;
    final double[] values;
    int size;

    Batch(int capacity) {
      labels = new Labels[capacity];
      timestamps = new long[capacity];
      values = new double[capacity];
    }

    void add(Labels l, long t, double v) {
      labels[size] = l;
      timestamps[size] = t;
      values[size] = v;
      size++;
    }

    void clear() {
      java.util.Arrays.fill(labels, 0, size, null);
      size = 0;
    }
  }
}
