package dev.kiln.promql.engine;

import dev.kiln.tsdb.histogram.FloatHistogram;

/**
 * Sums or averages a stream of histograms as Prometheus's sum/avg (aggregation and *_over_time)
 * do: Kahan-compensated addition, and for the mean the direct sum divided by the count until the
 * sum overflows, then an incremental mean. Single-thread.
 */
final class HistogramAccumulator {
  private final boolean mean;
  private FloatHistogram sum;
  private FloatHistogram avg;
  private FloatHistogram comp;
  private double count;
  private boolean incremental;
  /** Union of the {@link FloatHistogram#add} flags seen. */
  int flags;

  HistogramAccumulator(boolean mean) {
    this.mean = mean;
  }

  /**
   * Adds one histogram (not modified).
   *
   * @throws dev.kiln.tsdb.histogram.HistogramException mixing exponential and custom buckets
   */
  void add(FloatHistogram h) {
    count++;
    if (sum == null) {
      sum = h.copy();
      return;
    }
    if (!mean) {
      if (comp == null) {
        comp = new FloatHistogram();
      }
      flags |= sum.kahanAdd(h, comp, true);
      return;
    }
    if (!incremental) {
      FloatHistogram sumCopy = sum.copy();
      FloatHistogram compCopy = comp == null ? new FloatHistogram() : comp.copy();
      flags |= sumCopy.kahanAdd(h, compCopy, true);
      if (!sumCopy.hasOverflow()) {
        sum = sumCopy;
        comp = compCopy;
        return;
      }
      incremental = true;
      avg = sum.copy().div(count - 1);
      if (comp != null) {
        comp.div(count - 1);
      }
    }
    double q = (count - 1) / count;
    if (comp != null) {
      comp.mul(q);
    } else {
      comp = new FloatHistogram();
    }
    FloatHistogram toAdd = h.copy().div(count);
    flags |= avg.mul(q).kahanAdd(toAdd, comp, true);
  }

  /**
   * The sum (or mean), or null when nothing was added; it may hold empty buckets, so callers
   * compact it.
   */
  FloatHistogram result() {
    if (sum == null) {
      return null;
    }
    if (!mean) {
      return withCompensation(sum, comp);
    }
    if (incremental) {
      return withCompensation(avg, comp);
    }
    FloatHistogram r = sum.div(count);
    return comp == null ? r : withCompensation(r, comp.div(count));
  }

  private static FloatHistogram withCompensation(FloatHistogram h, FloatHistogram c) {
    if (c != null) {
      c.counterResetHint = h.counterResetHint;
      h.add(c);
    }
    return h;
  }
}
