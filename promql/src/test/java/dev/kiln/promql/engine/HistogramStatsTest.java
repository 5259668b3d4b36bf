package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramStatsTest {
  private static FloatHistogram h(double sum, double... buckets) {
    FloatHistogram h = new FloatHistogram();
    h.sum = sum;
    h.positiveSpans = new Span[] {new Span(0, buckets.length)};
    h.positiveBuckets = buckets;
    for (double b : buckets) {
      h.count += b;
    }
    return h;
  }

  @Test
  void quantileInterpolatesExponentialBucketsOnALogScale() {
    HistogramStats.NaNEffect[] nan = new HistogramStats.NaNEffect[1];
    FloatHistogram h = h(10, 2, 2); // (0.5,1]:2, (1,2]:2
    assertEquals(Math.sqrt(2), HistogramStats.quantile(0.75, h, nan), 1e-12);
    assertEquals(HistogramStats.NaNEffect.NONE, nan[0]);
    assertEquals(Double.POSITIVE_INFINITY, HistogramStats.quantile(1.5, h, nan));
  }

  @Test
  void nanObservationsAreReported() {
    HistogramStats.NaNEffect[] nan = new HistogramStats.NaNEffect[1];
    FloatHistogram h = h(Double.NaN, 4);
    h.count = 5; // one NaN observation
    assertTrue(Double.isNaN(HistogramStats.quantile(0.9, h, nan)));
    assertEquals(HistogramStats.NaNEffect.RESULT_NAN, nan[0]);
    HistogramStats.quantile(0.5, h, nan);
    assertEquals(HistogramStats.NaNEffect.SKEWED, nan[0]);
    assertEquals(0.8, HistogramStats.fraction(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, h), 1e-12);
  }

  /** histogram_fraction inverts histogram_quantile for random histograms and quantiles. */
  @Test
  void fractionInvertsQuantile() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    HistogramStats.NaNEffect[] nan = new HistogramStats.NaNEffect[1];
    for (int i = 0; i < 200; i++) {
      double[] b = new double[1 + r.nextInt(6)];
      for (int j = 0; j < b.length; j++) {
        b[j] = 1 + r.nextInt(9);
      }
      FloatHistogram h = h(1, b);
      double q = 0.01 + 0.98 * r.nextDouble();
      double v = HistogramStats.quantile(q, h, nan);
      assertEquals(q, HistogramStats.fraction(Double.NEGATIVE_INFINITY, v, h), 1e-9, "seed " + seed);
    }
  }

  @Test
  void log2IsExactForPowersOfTwo() {
    assertEquals(-3.0, HistogramStats.log2(0.125));
    assertEquals(10.0, HistogramStats.log2(1024));
  }
}
