package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;

/**
 * One series of a decoded remote write request: its samples, and either its validated labels or
 * the head reference the {@link SeriesRefCache} knows for it (then the labels are decoded only
 * if that reference turns out to be stale).
 */
final class DecodedSeries {
  /** Decodes the labels of a series known only by reference. */
  interface LabelSource {
    Labels decode() throws InvalidWriteException;
  }

  final long[] timestamps;
  final double[] values;
  private Labels labels;
  private final long cachedRef;
  private final LabelSource source;
  final long key1;
  final long key2;
  private String invalidReason;
  /** Native-histogram samples of the series, in wire order; null when it carries none. */
  HistogramDecoder.Sample[] histograms;

  private DecodedSeries(Labels labels, long cachedRef, LabelSource source, long key1, long key2, long[] timestamps,
      double[] values) {
    this.labels = labels;
    this.cachedRef = cachedRef;
    this.source = source;
    this.key1 = key1;
    this.key2 = key2;
    this.timestamps = timestamps;
    this.values = values;
  }

  /** A series whose labels were decoded and validated. */
  static DecodedSeries withLabels(Labels labels, long[] timestamps, double[] values) {
    return new DecodedSeries(labels, 0, null, 0, 0, timestamps, values);
  }

  /** A series whose labels were decoded and validated, to be cached under the given key. */
  static DecodedSeries cacheable(Labels labels, long key1, long key2, long[] timestamps, double[] values) {
    return new DecodedSeries(labels, 0, null, key1, key2, timestamps, values);
  }

  /** A series whose labels are invalid: skipped, its samples counted as rejected. */
  static DecodedSeries invalid(String reason, long[] timestamps, double[] values) {
    DecodedSeries s = new DecodedSeries(null, 0, null, 0, 0, timestamps, values);
    s.invalidReason = reason;
    return s;
  }

  /** Why the series' labels are invalid, or null when they are valid. */
  String invalidReason() {
    return invalidReason;
  }

  /** A series known by its head reference; {@code source} gives its labels if that is stale. */
  static DecodedSeries byRef(long ref, LabelSource source, long key1, long key2, long[] timestamps, double[] values) {
    return new DecodedSeries(null, ref, source, key1, key2, timestamps, values);
  }

  /** Attaches the series' native-histogram samples. */
  DecodedSeries withHistograms(HistogramDecoder.Sample[] samples) {
    this.histograms = samples;
    return this;
  }

  /** Number of native-histogram samples. */
  int histogramCount() {
    return histograms == null ? 0 : histograms.length;
  }

  /** The labels, or null when the series is known by reference. */
  Labels labels() {
    return labels;
  }

  /** The cached head reference, 0 if none. */
  long cachedRef() {
    return cachedRef;
  }

  /** True when the result of appending should be remembered under {@link #key1}/{@link #key2}. */
  boolean cacheable() {
    return key1 != 0 || key2 != 0;
  }

  /** Decodes the labels of a series known by reference, whose reference was stale. */
  Labels decodeLabels() throws InvalidWriteException {
    if (labels == null) {
      labels = source.decode();
    }
    return labels;
  }
}
