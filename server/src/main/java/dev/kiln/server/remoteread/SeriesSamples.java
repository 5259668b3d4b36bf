package dev.kiln.server.remoteread;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.Arrays;

/**
 * The samples of one series read for remote read, in time order: floats, integer histograms and
 * float histograms mixed, as the series holds them. Reused from series to series
 * ({@link #clear()}); single-thread.
 */
final class SeriesSamples {
  long[] ts = new long[256];
  double[] vs = new double[256];
  ValueType[] types = new ValueType[256];
  Histogram[] hs = new Histogram[256];
  FloatHistogram[] fhs = new FloatHistogram[256];
  int n;
  /** The series' chunks as stored, or null when the storage gives none (see {@code Series.storedChunks}). */
  java.util.List<dev.kiln.tsdb.storage.StoredChunk> stored;

  /** Appends the sample the iterator is on, of kind {@code type}. */
  void add(SampleIterator it, ValueType type) {
    if (n == ts.length) {
      int cap = n * 2;
      ts = Arrays.copyOf(ts, cap);
      vs = Arrays.copyOf(vs, cap);
      types = Arrays.copyOf(types, cap);
      hs = Arrays.copyOf(hs, cap);
      fhs = Arrays.copyOf(fhs, cap);
    }
    ts[n] = it.atT();
    types[n] = type;
    switch (type) {
      case FLOAT -> vs[n] = it.atV();
      case HISTOGRAM -> hs[n] = it.atHistogram(null);
      case FLOAT_HISTOGRAM -> fhs[n] = it.atFloatHistogram(null);
      default -> throw new IllegalArgumentException("no sample of type " + type);
    }
    n++;
  }

  void clear() {
    Arrays.fill(hs, 0, n, null);
    Arrays.fill(fhs, 0, n, null);
    n = 0;
    stored = null;
  }
}
