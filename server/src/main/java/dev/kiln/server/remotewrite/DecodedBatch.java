package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import java.util.Arrays;

/**
 * The series of one decoded remote write request, in flat arrays reused from request to request,
 * so a request of known series allocates nothing per sample or per series. Series {@code i} has
 * samples {@code [sampleStart(i), sampleStart(i) + sampleCount(i))} of {@link #timestamps} and
 * {@link #values}, histogram samples likewise, a cache key ({@code keyBuffer(i)} at {@code
 * keyOffset(i)}, {@code keyLength(i)} bytes, hash {@code keyHash(i)}; the 1.0 label-field
 * encoding), and either the reference the {@link SeriesRefCache} knows for it, its validated
 * labels, or the reason its labels are invalid. Key buffers are valid until the next request.
 * Not thread-safe.
 */
final class DecodedBatch {
  int size;
  long[] ref = new long[256];
  Labels[] labels = new Labels[256];
  String[] invalid = new String[256];
  byte[][] keyBuffer = new byte[256][];
  int[] keyOffset = new int[256];
  int[] keyLength = new int[256];
  long[] keyHash = new long[256];
  int[] sampleStart = new int[256];
  int[] sampleCount = new int[256];
  int[] histogramStart = new int[256];
  int[] histogramCount = new int[256];

  int samples;
  long[] timestamps = new long[256];
  double[] values = new double[256];

  int histograms;
  HistogramDecoder.Sample[] histogramSamples = new HistogramDecoder.Sample[16];

  /** Exemplars of the request: series {@code i} has {@code exemplarCount[i]} from {@code exemplarStart[i]}. */
  int exemplars;
  dev.kiln.tsdb.storage.Exemplar[] exemplarList = new dev.kiln.tsdb.storage.Exemplar[0];
  int[] exemplarStart = new int[256];
  int[] exemplarCount = new int[256];

  /** Empties the batch, dropping references to the previous request's objects. */
  void clear() {
    Arrays.fill(labels, 0, size, null);
    Arrays.fill(invalid, 0, size, null);
    Arrays.fill(keyBuffer, 0, size, null);
    Arrays.fill(histogramSamples, 0, histograms, null);
    Arrays.fill(exemplarList, 0, exemplars, null);
    exemplars = 0;
    size = 0;
    samples = 0;
    histograms = 0;
  }

  /** Starts series {@link #size} (its samples and histograms follow); returns its index. */
  int startSeries() {
    int i = size;
    if (i == ref.length) {
      growSeries();
    }
    ref[i] = 0;
    labels[i] = null;
    invalid[i] = null;
    keyBuffer[i] = null;
    keyOffset[i] = 0;
    keyLength[i] = 0;
    keyHash[i] = 0;
    sampleStart[i] = samples;
    histogramStart[i] = histograms;
    exemplarStart[i] = exemplars;
    size = i + 1;
    return i;
  }

  /** Ends the series started last: its samples and histograms are the ones added since. */
  void endSeries(int i) {
    sampleCount[i] = samples - sampleStart[i];
    histogramCount[i] = histograms - histogramStart[i];
    exemplarCount[i] = exemplars - exemplarStart[i];
  }

  void addExemplar(dev.kiln.tsdb.storage.Exemplar e) {
    if (exemplars == exemplarList.length) {
      exemplarList = Arrays.copyOf(exemplarList, Math.max(16, exemplars * 2));
    }
    exemplarList[exemplars++] = e;
  }

  void addSample(long t, double v) {
    if (samples == timestamps.length) {
      timestamps = Arrays.copyOf(timestamps, samples * 2);
      values = Arrays.copyOf(values, samples * 2);
    }
    timestamps[samples] = t;
    values[samples] = v;
    samples++;
  }

  void addHistogram(HistogramDecoder.Sample h) {
    if (histograms == histogramSamples.length) {
      histogramSamples = Arrays.copyOf(histogramSamples, histograms * 2);
    }
    histogramSamples[histograms++] = h;
  }

  /** Sets the cache key of series {@code i}. */
  void key(int i, byte[] buffer, int offset, int length, long hash) {
    keyBuffer[i] = buffer;
    keyOffset[i] = offset;
    keyLength[i] = length;
    keyHash[i] = hash;
  }

  /** True when series {@code i} has a key (series with invalid or missing labels have none). */
  boolean hasKey(int i) {
    return keyBuffer[i] != null;
  }

  private void growSeries() {
    int n = ref.length * 2;
    ref = Arrays.copyOf(ref, n);
    labels = Arrays.copyOf(labels, n);
    invalid = Arrays.copyOf(invalid, n);
    keyBuffer = Arrays.copyOf(keyBuffer, n);
    keyOffset = Arrays.copyOf(keyOffset, n);
    keyLength = Arrays.copyOf(keyLength, n);
    keyHash = Arrays.copyOf(keyHash, n);
    sampleStart = Arrays.copyOf(sampleStart, n);
    sampleCount = Arrays.copyOf(sampleCount, n);
    histogramStart = Arrays.copyOf(histogramStart, n);
    histogramCount = Arrays.copyOf(histogramCount, n);
    exemplarStart = Arrays.copyOf(exemplarStart, n);
    exemplarCount = Arrays.copyOf(exemplarCount, n);
  }
}
