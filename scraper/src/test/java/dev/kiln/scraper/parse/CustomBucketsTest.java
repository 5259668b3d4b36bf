package dev.kiln.scraper.parse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.Span;
import org.junit.jupiter.api.Test;

class CustomBucketsTest {
  private final CustomBuckets b = new CustomBuckets();

  @Test
  void wholeCountsGiveAnIntegerHistogramWithDeltasAndShortEmptyRunsKept() {
    b.reset();
    // Per-bucket 1, 0, 0, 2, 0, 0, 0, 4: the run of two empty buckets stays, the run of three splits.
    double[] les = {1, 2, 3, 4, 5, 6, 7};
    double[] cum = {1, 1, 1, 3, 3, 3, 3};
    for (int i = 0; i < les.length; i++) {
      b.bucket(les[i], cum[i]);
    }
    b.bucket(Double.POSITIVE_INFINITY, 7);
    b.count(7);
    b.sum(12.5);
    assertTrue(b.convert());
    assertNull(b.floatHistogram);
    assertNotNull(b.histogram);
    assertEquals(-53, b.histogram.schema);
    assertArrayEquals(les, b.histogram.customValues);
    assertArrayEquals(new Span[] {new Span(0, 4), new Span(3, 1)}, b.histogram.positiveSpans);
    assertArrayEquals(new long[] {1, -1, 0, 2, 2}, b.histogram.positiveBuckets);
    assertEquals(7, b.histogram.count);
    assertEquals(12.5, b.histogram.sum);
    b.histogram.validate();
  }

  @Test
  void aFractionalCountGivesAFloatHistogram() {
    b.reset();
    b.bucket(1, 0.5);
    b.bucket(Double.POSITIVE_INFINITY, 1);
    b.count(1);
    assertTrue(b.convert());
    assertNull(b.histogram);
    assertArrayEquals(new double[] {0.5, 0.5}, b.floatHistogram.positiveBuckets);
    assertArrayEquals(new double[] {1}, b.floatHistogram.customValues);
  }

  @Test
  void repeatedBoundsKeepTheFirstCount() {
    b.reset();
    b.bucket(1, 2);
    b.bucket(1, 9);
    b.count(2);
    assertTrue(b.convert());
    assertArrayEquals(new long[] {2}, b.histogram.positiveBuckets);
  }

  @Test
  void invalidInputIsNotConverted() {
    b.reset();
    b.bucket(1, 5);
    b.bucket(2, 4);
    assertFalse(b.convert(), "not cumulative");
    b.reset();
    b.bucket(2, 4);
    b.bucket(1, 5);
    assertFalse(b.convert(), "not cumulative, inserted out of order");
    b.reset();
    b.bucket(Double.NaN, 1);
    assertFalse(b.convert(), "NaN bound");
    b.reset();
    b.count(-1);
    assertFalse(b.convert(), "negative count");
    b.reset();
    b.sum(3);
    assertFalse(b.convert(), "neither buckets nor count");
    b.reset();
    b.bucket(Double.POSITIVE_INFINITY, 3);
    b.count(4);
    assertFalse(b.convert(), "+Inf bucket and count disagree");
    b.reset();
    b.count(4);
    assertTrue(b.convert(), "a count alone is one +Inf bucket");
    assertArrayEquals(new long[] {4}, b.histogram.positiveBuckets);
  }

  @Test
  void boundsParseAsGoParsesFloats() {
    assertEquals(Double.POSITIVE_INFINITY, NhcbSink.parseBound("+Inf"));
    assertEquals(Double.NEGATIVE_INFINITY, NhcbSink.parseBound("-inf"));
    assertEquals(0.25, NhcbSink.parseBound("0.25"));
    assertEquals(1000, NhcbSink.parseBound("1e3"));
    assertTrue(Double.isNaN(NhcbSink.parseBound("1d")));
    assertTrue(Double.isNaN(NhcbSink.parseBound("fast")));
  }

  @Test
  void aNaNBucketCountGivesAFloatHistogramWithNaNBucketsAsPrometheusConverts() {
    b.reset();
    b.bucket(0.5, 1);
    b.bucket(1, Double.NaN);
    b.bucket(2, 3);
    b.bucket(Double.POSITIVE_INFINITY, 4);
    b.count(4);
    b.sum(5);
    assertTrue(b.convert(), "NaN compares false with its neighbours: still cumulative");
    assertNull(b.histogram);
    assertArrayEquals(new double[] {0.5, 1, 2}, b.floatHistogram.customValues);
    double[] buckets = b.floatHistogram.positiveBuckets;
    assertEquals(4, buckets.length);
    assertEquals(1.0, buckets[0]);
    assertTrue(Double.isNaN(buckets[1]) && Double.isNaN(buckets[2]), java.util.Arrays.toString(buckets));
    assertEquals(1.0, buckets[3]);
    b.floatHistogram.validate();
  }

  @Test
  void aNaNCountOrInfBucketMatchesNothingAndDoesNotConvert() {
    b.reset();
    b.bucket(1, 1);
    b.bucket(Double.POSITIVE_INFINITY, 2);
    b.count(Double.NaN);
    assertFalse(b.convert(), "NaN _count");
    b.reset();
    b.bucket(1, 1);
    b.bucket(Double.POSITIVE_INFINITY, Double.NaN);
    b.count(2);
    assertFalse(b.convert(), "NaN +Inf bucket");
    b.reset();
    b.bucket(1, 1);
    b.count(Double.NaN);
    assertFalse(b.convert(), "NaN count for the added +Inf bucket");
  }
}
