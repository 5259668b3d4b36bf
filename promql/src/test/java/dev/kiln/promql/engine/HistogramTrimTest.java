package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Schemas;
import dev.kiln.tsdb.histogram.Span;
import org.junit.jupiter.api.Test;

class HistogramTrimTest {
  private static FloatHistogram exp() {
    FloatHistogram h = new FloatHistogram();
    h.count = 7;
    h.sum = 20;
    h.positiveSpans = new Span[] {new Span(1, 2)}; // (1,2]:3, (2,4]:4
    h.positiveBuckets = new double[] {3, 4};
    return h;
  }

  @Test
  void exponentialBucketIsCutOnALogScaleAndTheSumRecomputed() {
    FloatHistogram r = HistogramTrim.trim(exp(), Math.sqrt(2), true);
    assertEquals(1.5, r.count, 1e-12); // half of (1,2] on a log scale
    assertEquals(1.5 * Math.pow(2, 0.25), r.sum, 1e-12); // geometric middle of (1, sqrt 2]
    FloatHistogram above = HistogramTrim.trim(exp(), 2, false);
    assertEquals(4, above.count);
    assertEquals(4 * Math.sqrt(8), above.sum, 1e-12);
  }

  @Test
  void nothingRemovedKeepsCountAndSum() {
    FloatHistogram r = HistogramTrim.trim(exp(), 1, false);
    assertEquals(7, r.count);
    assertEquals(20, r.sum);
    assertEquals(0, HistogramTrim.trim(exp(), Double.POSITIVE_INFINITY, false).count);
  }

  @Test
  void customBucketsInterpolateLinearlyAndUnboundedOnesAreNotCut() {
    FloatHistogram h = new FloatHistogram();
    h.schema = Schemas.CUSTOM_BUCKETS;
    h.customValues = new double[] {10, 20};
    h.count = 13;
    h.sum = 150;
    h.positiveSpans = new Span[] {new Span(0, 3)}; // [-Inf,10]:2 (counts as [0,10]), (10,20]:10, (20,+Inf]:1
    h.positiveBuckets = new double[] {2, 10, 1};
    FloatHistogram below = HistogramTrim.trim(h, 12, true);
    assertEquals(2 + 2, below.count, 1e-12);
    assertEquals(2 * 5 + 2 * 11, below.sum, 1e-12);
    FloatHistogram above = HistogramTrim.trim(h, 30, false);
    assertEquals(1, above.count); // the +Inf bucket is kept whole, counted at the cut
    assertEquals(30, above.sum);
  }

  @Test
  void zeroBucketCoversOnlyTheSideWithBuckets() {
    FloatHistogram h = new FloatHistogram();
    h.zeroThreshold = 0.5;
    h.zeroCount = 4;
    h.count = 6;
    h.sum = 3;
    h.positiveSpans = new Span[] {new Span(0, 1)}; // (0.5,1]:2
    h.positiveBuckets = new double[] {2};
    FloatHistogram r = HistogramTrim.trim(h, 0.25, false);
    assertEquals(2, r.zeroCount, 1e-12); // zero bucket is [0, 0.5] here
    assertEquals(4, r.count, 1e-12);
    assertEquals(2 * 0.375 + 2 * Math.sqrt(0.5), r.sum, 1e-12);
  }
}
