package dev.kiln.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import org.junit.jupiter.api.Test;

class HistogramLimitsTest {
  private static FloatHistogram floatHistogram() {
    FloatHistogram fh = new FloatHistogram();
    fh.schema = 1;
    fh.count = 10;
    fh.sum = 5;
    fh.positiveSpans = new Span[] {new Span(1, 4)};
    fh.positiveBuckets = new double[] {1, 2, 3, 4};
    return fh;
  }

  @Test
  void floatHistogramsAreHalvedUntilTheyFit() {
    FloatHistogram fh = floatHistogram();
    assertTrue(new HistogramLimits(2, 0).apply(null, fh));
    // Schema 1 indexes 1..4 become schema 0 indexes 1 (1,2) and 2 (3,4).
    assertEquals(0, fh.schema);
    assertArrayEquals(new Span[] {new Span(1, 2)}, fh.positiveSpans);
    assertArrayEquals(new double[] {3, 7}, fh.positiveBuckets);
  }

  @Test
  void integerAndFloatReductionAgree() {
    Histogram h = new Histogram();
    h.schema = 1;
    h.count = 10;
    h.sum = 5;
    h.positiveSpans = new Span[] {new Span(1, 4)};
    h.positiveBuckets = new long[] {1, 1, 1, 1};
    assertTrue(new HistogramLimits(0, 2).apply(h, null));
    FloatHistogram fh = floatHistogram();
    assertTrue(new HistogramLimits(0, 2).apply(null, fh));
    assertEquals(0, h.schema, "factor 2 caps the schema at 0");
    assertEquals(fh, h.toFloat(null));
  }

  @Test
  void noLimitsLeaveTheHistogramAlone() {
    FloatHistogram fh = floatHistogram();
    assertTrue(new HistogramLimits(0, 0).apply(null, fh));
    assertEquals(floatHistogram(), fh);
  }

  @Test
  void customBucketsCannotBeReduced() {
    FloatHistogram fh = new FloatHistogram();
    fh.schema = -53;
    fh.customValues = new double[] {1, 2, 3};
    fh.count = 6;
    fh.positiveSpans = new Span[] {new Span(0, 3)};
    fh.positiveBuckets = new double[] {1, 2, 3};
    assertFalse(new HistogramLimits(2, 0).apply(null, fh));
  }
}
