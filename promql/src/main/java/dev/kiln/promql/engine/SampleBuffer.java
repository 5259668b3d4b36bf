package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.ValueType;

/**
 * A reusable, growable pair of primitive arrays holding the samples of one series within a time
 * range. Reading the next series overwrites the previous one, so a whole query streams through
 * one buffer. Single-thread.
 */
final class SampleBuffer {
  long[] ts = new long[128];
  double[] vs = new double[128];
  int count;
  /** Histogram samples of the series, apart from the floats. */
  long[] hts = new long[0];
  FloatHistogram[] hs = new FloatHistogram[0];
  int hcount;
  /**
   * When set, UNKNOWN counter reset hints are resolved against the previous histogram as
   * Prometheus's HistogramStatsIterator does.
   */
  boolean resolveHints;
  /**
   * When set, histogram samples are decoded into the instances the buffer already holds (from an
   * earlier series) instead of new ones, so a caller that never keeps a sample's histogram beyond
   * the series (rate and the like, which compute new results) reads without allocating per sample.
   */
  boolean reuseHistograms;
  /**
   * With {@link #reuseHistograms}: the previous series' histograms by positive bucket count, to
   * decode into. A series keeps its bucket layout from sample to sample, so the previous sample's
   * count picks an instance whose arrays fit and decoding allocates nothing.
   */
  private final SpareHistograms spare = new SpareHistograms();
  private SampleIterator reuse;

  /**
   * Loads the samples of {@code series} with {@code mint <= t <= maxt}.
   *
   * @param dropStale whether stale markers are skipped (range selectors) or kept (instant
   *     selectors, which need them to end a series)
   */
  void load(Series series, long mint, long maxt, boolean dropStale) {
    count = 0;
    if (reuseHistograms) {
      for (int i = 0; i < hcount; i++) {
        spare.give(hs[i]);
        hs[i] = null;
      }
    } else {
      spare.clear();
    }
    hcount = 0;
    int lastLength = -1;
    SampleIterator it = series.iterator(reuse);
    reuse = it;
    if (mint > maxt) {
      return;
    }
    FloatHistogram prevHist = null;
    ValueType vt = it.seek(mint);
    while (vt != ValueType.NONE) {
      long t = it.atT();
      if (t > maxt) {
        break;
      }
      if (vt == ValueType.HISTOGRAM || vt == ValueType.FLOAT_HISTOGRAM) {
        FloatHistogram h = it.atFloatHistogram(reuseHistograms ? spareFor(lastLength) : null);
        lastLength = h.positiveBuckets.length;
        if (StaleNaN.is(h.sum)) {
          // A histogram stale marker ends the series like a float one.
          if (!dropStale) {
            addFloat(t, StaleNaN.VALUE);
          }
          prevHist = null;
        } else {
          if (resolveHints) {
            // Reset detection reads the previous histogram's counts and layout, never its hint, so
            // the previous sample itself serves (its resolved hint does not matter).
            if (h.counterResetHint == CounterResetHint.UNKNOWN && prevHist != null) {
              h.counterResetHint =
                  h.detectReset(prevHist) ? CounterResetHint.COUNTER_RESET : CounterResetHint.NOT_COUNTER_RESET;
            }
            prevHist = h;
          }
          addHistogram(t, h);
        }
        vt = it.next();
        continue;
      }
      double v = it.atV();
      if (!(dropStale && StaleNaN.is(v))) {
        if (count == ts.length) {
          grow();
        }
        ts[count] = t;
        vs[count] = StaleNaN.is(v) ? v : Points.fromStorage(v);
        count++;
      }
      // The run of floats after this one, read in bulk straight into the arrays.
      while (true) {
        if (count == ts.length) {
          grow();
        }
        int n = it.nextFloats(maxt, ts, vs, count, ts.length - count);
        if (n == 0) {
          break;
        }
        count = settle(count, n, dropStale);
      }
      vt = it.next();
    }
  }

  /**
   * Applies {@link #load}'s value rules to the {@code n} raw samples read in bulk at {@code
   * from}: stale markers dropped or kept, other NaNs made safe; returns the new count.
   */
  private int settle(int from, int n, boolean dropStale) {
    long[] ts = this.ts;
    double[] vs = this.vs;
    int w = from;
    for (int i = from, end = from + n; i < end; i++) {
      double v = vs[i];
      if (v != v) {
        if (StaleNaN.is(v)) {
          if (dropStale) {
            continue;
          }
        } else {
          v = Points.fromStorage(v);
        }
      }
      ts[w] = ts[i];
      vs[w] = v;
      w++;
    }
    return w;
  }

  private FloatHistogram spareFor(int positiveBuckets) {
    return spare.take(positiveBuckets);
  }

  private void addFloat(long t, double v) {
    if (count == ts.length) {
      grow();
    }
    ts[count] = t;
    vs[count] = v;
    count++;
  }

  private void addHistogram(long t, FloatHistogram h) {
    if (hcount == hts.length) {
      int n = Math.max(16, hts.length * 2);
      hts = java.util.Arrays.copyOf(hts, n);
      hs = java.util.Arrays.copyOf(hs, n);
    }
    hts[hcount] = t;
    hs[hcount] = h;
    hcount++;
  }

  /** Makes room for at least n samples (contents may be lost). */
  void ensureCapacity(int n) {
    if (ts.length < n) {
      int size = Math.max(n, ts.length * 2);
      ts = new long[size];
      vs = new double[size];
    }
  }

  private void grow() {
    int n = ts.length * 2;
    ts = java.util.Arrays.copyOf(ts, n);
    vs = java.util.Arrays.copyOf(vs, n);
  }
}
