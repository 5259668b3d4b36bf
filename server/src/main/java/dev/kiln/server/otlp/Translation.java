package dev.kiln.server.otlp;

import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of translating one OTLP export request: the Prometheus series with their samples in
 * arrival order, and what was left out and why. Single-thread; owned by the request.
 */
final class Translation {
  /** The samples of one series, in the order the data points arrived. */
  static final class Samples {
    private long[] timestamps = new long[1];
    private double[] values = new double[1];
    private int size;

    void add(long t, double v) {
      if (size == timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      timestamps[size] = t;
      values[size] = v;
      size++;
    }

    int size() {
      return size;
    }

    long timestamp(int i) {
      return timestamps[i];
    }

    double value(int i) {
      return values[i];
    }
  }

  private final Map<Labels, Samples> series = new LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();
  private long samples;
  private long invalidSeries;
  private long exponentialHistogramPoints;

  void add(Labels labels, long t, double v) {
    series.computeIfAbsent(labels, k -> new Samples()).add(t, v);
    samples++;
  }

  /** A metric (or part of one) left out, with Prometheus's message for it. */
  void error(String message) {
    errors.add(message);
  }

  /** A sample whose translated labels are not a valid Prometheus label set. */
  void invalidSeries(String message) {
    if (invalidSeries++ == 0) {
      errors.add(message);
    }
  }

  void exponentialHistogramPoints(int n) {
    exponentialHistogramPoints += n;
  }

  /** Every series, in first-seen order. */
  Map<Labels, Samples> series() {
    return Collections.unmodifiableMap(series);
  }

  /** The messages of everything left out (the first invalid label set only). */
  List<String> errors() {
    return Collections.unmodifiableList(errors);
  }

  long samples() {
    return samples;
  }

  /** Samples dropped because their label set was invalid. */
  long invalidSeriesSamples() {
    return invalidSeries;
  }

  /** Data points of exponential histograms, which Kiln cannot store yet. */
  long exponentialHistogramPoints() {
    return exponentialHistogramPoints;
  }
}
