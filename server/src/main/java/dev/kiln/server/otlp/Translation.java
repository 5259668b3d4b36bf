package dev.kiln.server.otlp;

import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
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

    /** The exemplars attached to the series, in arrival order. */
    List<Exemplar> exemplars() {
      return exemplars;
    }

    private final List<Exemplar> exemplars = new ArrayList<>(0);
  }

  /** The native-histogram samples of one series, in the order the data points arrived. */
  static final class HistogramSamples {
    private long[] timestamps = new long[1];
    private Histogram[] histograms = new Histogram[1];
    private int size;

    void add(long t, Histogram h) {
      if (size == timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, size * 2);
        histograms = Arrays.copyOf(histograms, size * 2);
      }
      timestamps[size] = t;
      histograms[size] = h;
      size++;
    }

    int size() {
      return size;
    }

    long timestamp(int i) {
      return timestamps[i];
    }

    Histogram histogram(int i) {
      return histograms[i];
    }

    /** The exemplars attached to the series, in arrival order. */
    List<Exemplar> exemplars() {
      return exemplars;
    }

    private final List<Exemplar> exemplars = new ArrayList<>(0);
  }

  private final Map<Labels, Samples> series = new LinkedHashMap<>();
  private final Map<Labels, HistogramSamples> histogramSeries = new LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();
  private long samples;
  private long histograms;
  private long invalidSeries;
  private long exemplars;

  void add(Labels labels, long t, double v) {
    series.computeIfAbsent(labels, k -> new Samples()).add(t, v);
    samples++;
  }

  void addHistogram(Labels labels, long t, Histogram h) {
    histogramSeries.computeIfAbsent(labels, k -> new HistogramSamples()).add(t, h);
    histograms++;
  }

  /** Attaches exemplars to a float series that has a sample in this translation. */
  void addExemplars(Labels labels, List<Exemplar> list) {
    series.get(labels).exemplars.addAll(list);
    exemplars += list.size();
  }

  /** Attaches exemplars to a native-histogram series that has a sample in this translation. */
  void addHistogramExemplars(Labels labels, List<Exemplar> list) {
    histogramSeries.get(labels).exemplars.addAll(list);
    exemplars += list.size();
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

  /** Every native-histogram series, in first-seen order. */
  Map<Labels, HistogramSamples> histogramSeries() {
    return Collections.unmodifiableMap(histogramSeries);
  }

  /** Every float series, in first-seen order. */
  Map<Labels, Samples> series() {
    return Collections.unmodifiableMap(series);
  }

  /** The messages of everything left out (the first invalid label set only). */
  List<String> errors() {
    return Collections.unmodifiableList(errors);
  }

  /** Float samples. */
  long samples() {
    return samples;
  }

  /** Native-histogram samples. */
  long histograms() {
    return histograms;
  }

  /** Exemplars attached to series. */
  long exemplars() {
    return exemplars;
  }

  /** Samples dropped because their label set was invalid. */
  long invalidSeriesSamples() {
    return invalidSeries;
  }
}
