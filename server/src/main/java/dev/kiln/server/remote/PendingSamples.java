package dev.kiln.server.remote;

import dev.kiln.tsdb.model.Labels;

/**
 * A bounded first-in, first-out buffer of samples waiting to be sent: labels, timestamp, value and
 * (for a native-histogram sample) the histogram, a {@code Histogram} or {@code FloatHistogram}
 * owned by the buffer, in parallel arrays used as a ring, which start small and double up to the
 * limit (about 24 bytes per float sample). Not thread-safe; its {@link Shard} guards it.
 */
final class PendingSamples {
  private final int limit;
  private Labels[] labels;
  private long[] timestamps;
  private double[] values;
  private Object[] histograms;
  private int head;
  private int size;
  private int histogramSize;

  PendingSamples(int initialCapacity, int limit) {
    this.limit = Math.max(limit, initialCapacity);
    labels = new Labels[initialCapacity];
    timestamps = new long[initialCapacity];
    values = new double[initialCapacity];
    histograms = new Object[initialCapacity];
  }

  int size() {
    return size;
  }

  /** How many of the buffered samples are native histograms. */
  int histogramCount() {
    return histogramSize;
  }

  /** Adds a float sample; false when the buffer holds its limit. */
  boolean offer(Labels l, long t, double v) {
    return offer(l, t, v, null);
  }

  /**
   * Adds a sample: a float ({@code histogram} null) or a native histogram (a {@code Histogram} or
   * {@code FloatHistogram} the buffer now owns); false when the buffer holds its limit.
   */
  boolean offer(Labels l, long t, double v, Object histogram) {
    if (size == labels.length && !grow()) {
      return false;
    }
    int i = (head + size) % labels.length;
    labels[i] = l;
    timestamps[i] = t;
    values[i] = v;
    histograms[i] = histogram;
    size++;
    if (histogram != null) {
      histogramSize++;
    }
    return true;
  }

  private boolean grow() {
    if (labels.length >= limit) {
      return false;
    }
    int n = (int) Math.min(limit, labels.length * 2L);
    Labels[] l = new Labels[n];
    long[] t = new long[n];
    double[] v = new double[n];
    Object[] h = new Object[n];
    for (int k = 0; k < size; k++) {
      int i = (head + k) % labels.length;
      l[k] = labels[i];
      t[k] = timestamps[i];
      v[k] = values[i];
      h[k] = histograms[i];
    }
    labels = l;
    timestamps = t;
    values = v;
    histograms = h;
    head = 0;
    return true;
  }

  /** Moves up to {@code max} of the oldest samples into {@code out}. */
  void drainTo(Batch out, int max) {
    int n = Math.min(max, size);
    for (int k = 0; k < n; k++) {
      out.add(labels[head], timestamps[head], values[head], histograms[head]);
      if (histograms[head] != null) {
        histogramSize--;
      }
      labels[head] = null;
      histograms[head] = null;
      head = (head + 1) % labels.length;
    }
    size -= n;
  }

  /** Samples taken from the buffer for one request. */
  static final class Batch {
    final Labels[] labels;
    final long[] timestamps;
    final double[] values;
    /** Per sample: null for a float, else its {@code Histogram} or {@code FloatHistogram}. */
    final Object[] histograms;
    int size;

    Batch(int capacity) {
      labels = new Labels[capacity];
      timestamps = new long[capacity];
      values = new double[capacity];
      histograms = new Object[capacity];
    }

    void add(Labels l, long t, double v, Object histogram) {
      labels[size] = l;
      timestamps[size] = t;
      values[size] = v;
      histograms[size] = histogram;
      size++;
    }

    /** How many samples of the batch are native histograms. */
    int histogramCount() {
      int n = 0;
      for (int i = 0; i < size; i++) {
        if (histograms[i] != null) {
          n++;
        }
      }
      return n;
    }

    void clear() {
      java.util.Arrays.fill(labels, 0, size, null);
      java.util.Arrays.fill(histograms, 0, size, null);
      size = 0;
    }
  }
}
