package dev.kiln.tsdb.head;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The native-histogram samples of one {@link HeadAppender} batch, kept apart from its float
 * samples (as Prometheus's {@code appendBatch} keeps {@code histograms} and {@code
 * floatHistograms}): per entry the series, timestamp and either an integer or a float histogram,
 * plus each series' newest pending entry for order checks. Single-thread.
 */
final class PendingHistograms {
  MemSeries[] series = new MemSeries[8];
  long[] ts = new long[8];
  long[] refs = new long[8];
  Histogram[] hs = new Histogram[8];
  FloatHistogram[] fhs = new FloatHistogram[8];
  int n;
  /** Index of each series' newest pending histogram. */
  final Map<MemSeries, Integer> newest = new IdentityHashMap<>();

  void add(MemSeries s, long t, Histogram h, FloatHistogram fh) {
    if (n == ts.length) {
      int cap = n * 2;
      series = Arrays.copyOf(series, cap);
      ts = Arrays.copyOf(ts, cap);
      refs = Arrays.copyOf(refs, cap);
      hs = Arrays.copyOf(hs, cap);
      fhs = Arrays.copyOf(fhs, cap);
    }
    series[n] = s;
    ts[n] = t;
    refs[n] = s.ref;
    hs[n] = h;
    fhs[n] = fh;
    newest.put(s, n);
    n++;
  }

  /** Drops all entries (after apply or rollback). */
  void clear() {
    Arrays.fill(series, 0, n, null);
    Arrays.fill(hs, 0, n, null);
    Arrays.fill(fhs, 0, n, null);
    newest.clear();
    n = 0;
  }
}
