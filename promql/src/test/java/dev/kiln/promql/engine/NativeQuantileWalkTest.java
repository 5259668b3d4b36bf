package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.histogram.Bucket;
import dev.kiln.tsdb.histogram.BucketIterator;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HistogramStats#quantile} on exponential schemas (a walk over the counts that computes
 * bounds of one bucket) against the bucket-iterator formulation of Prometheus's
 * HistogramQuantile, on seeded random histograms with both sides, zero buckets, empty buckets,
 * buckets inside the zero bucket and NaN observations.
 */
class NativeQuantileWalkTest {
  /** Prometheus's HistogramQuantile over {@link FloatHistogram#allBucketIterator}, as the oracle. */
  static double oracle(double q, FloatHistogram h) {
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (h.count == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    boolean nanObs = Double.isNaN(h.sum);
    boolean forward = nanObs || q < 0.5;
    BucketIterator it = forward ? h.allBucketIterator() : h.allReverseBucketIterator();
    double rank = forward ? q * h.count : (1 - q) * h.count;
    double count = 0;
    double lower = 0;
    double upper = 0;
    double bc = 0;
    while (it.next()) {
      Bucket b = it.at();
      if (b.count() == 0) {
        continue;
      }
      lower = b.lower();
      upper = b.upper();
      bc = b.count();
      count += b.count();
      if (count >= rank) {
        break;
      }
    }
    if (lower < 0 && upper > 0) {
      if (h.negativeBuckets.length == 0 && h.positiveBuckets.length > 0) {
        lower = 0;
      } else if (h.positiveBuckets.length == 0 && h.negativeBuckets.length > 0) {
        upper = 0;
      }
    }
    count = Math.min(count, h.count);
    if (count < rank) {
      return nanObs ? Double.NaN : upper;
    }
    rank = forward ? rank - (count - bc) : count - rank;
    double fraction = rank / bc;
    if (lower <= 0 && upper >= 0) {
      return lower + (upper - lower) * fraction;
    }
    double logLower = HistogramStats.log2(Math.abs(lower));
    double logUpper = HistogramStats.log2(Math.abs(upper));
    if (lower > 0) {
      return HistogramStats.exp2(logLower + (logUpper - logLower) * fraction);
    }
    return -HistogramStats.exp2(logUpper + (logLower - logUpper) * (1 - fraction));
  }

  private static void side(Random r, List<Span> spans, List<Double> counts) {
    int n = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(30);
    int idx = r.nextInt(40) - 30;
    int first = idx;
    int prevEnd = 0;
    int i = 0;
    while (i < n) {
      int len = 1 + r.nextInt(5);
      spans.add(new Span(spans.isEmpty() ? first : idx - prevEnd, len));
      for (int k = 0; k < len; k++) {
        counts.add(r.nextInt(4) == 0 ? 0.0 : r.nextDouble() * 100);
      }
      prevEnd = idx + len;
      idx = prevEnd + r.nextInt(3);
      i += len;
    }
  }

  @Test
  void walkMatchesBucketIterator() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    HistogramStats.NaNEffect[] nan = new HistogramStats.NaNEffect[1];
    for (int round = 0; round < 5000; round++) {
      FloatHistogram h = new FloatHistogram();
      h.schema = r.nextInt(13) - 4;
      h.zeroThreshold = r.nextBoolean() ? 0 : Math.scalb(1.0, -(r.nextInt(8)));
      h.zeroCount = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 10;
      List<Span> ps = new ArrayList<>();
      List<Double> pc = new ArrayList<>();
      List<Span> ns = new ArrayList<>();
      List<Double> nc = new ArrayList<>();
      side(r, ps, pc);
      side(r, ns, nc);
      h.positiveSpans = ps.toArray(new Span[0]);
      h.negativeSpans = ns.toArray(new Span[0]);
      h.positiveBuckets = pc.stream().mapToDouble(Double::doubleValue).toArray();
      h.negativeBuckets = nc.stream().mapToDouble(Double::doubleValue).toArray();
      double total = h.zeroCount;
      for (double c : h.positiveBuckets) {
        total += c;
      }
      for (double c : h.negativeBuckets) {
        total += c;
      }
      h.count = r.nextInt(5) == 0 ? total * 1.1 : total;
      h.sum = r.nextInt(8) == 0 ? Double.NaN : 1;
      double q = switch (r.nextInt(6)) {
        case 0 -> 0;
        case 1 -> 1;
        default -> r.nextDouble();
      };
      double want = oracle(q, h);
      double got = HistogramStats.quantile(q, h, nan);
      assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
          "seed " + seed + " round " + round + ": q=" + q + " " + h + " want " + want + " got " + got);
    }
  }
}
