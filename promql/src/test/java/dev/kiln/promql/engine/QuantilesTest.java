package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantilesTest {
  @Test
  void quantileInterpolatesBetweenValues() {
    assertEquals(2.5, Quantiles.quantile(0.5, new double[] {4, 1, 3, 2}, 4), 0);
    assertEquals(Double.NEGATIVE_INFINITY, Quantiles.quantile(-1, new double[] {1}, 1), 0);
    assertTrue(Double.isNaN(Quantiles.quantile(0.5, new double[0], 0)));
  }

  @Test
  void nanSortsFirstAsInPrometheus() {
    assertTrue(Double.isNaN(Quantiles.quantile(0, new double[] {1, Double.NaN}, 2)));
  }

  @Test
  void bucketQuantileInterpolatesInsideTheBucket() {
    double[] upper = {1, 2, Double.POSITIVE_INFINITY};
    double[] count = {10, 20, 20};
    Quantiles.BucketResult r = new Quantiles.BucketResult();
    Quantiles.bucketQuantile(0.75, upper, count, 3, r);
    assertEquals(1.5, r.value, 1e-12);
    assertEquals(false, r.forcedMonotonic);
  }

  @Test
  void bucketQuantileForcesMonotonicity() {
    double[] upper = {Double.POSITIVE_INFINITY, 1, 2};
    double[] count = {20, 10, 8};
    Quantiles.BucketResult r = new Quantiles.BucketResult();
    Quantiles.bucketQuantile(0.5, upper, count, 3, r);
    assertTrue(r.forcedMonotonic);
    assertEquals(1, r.value, 1e-12);
  }

  @Test
  void withoutInfBucketTheQuantileIsNaN() {
    Quantiles.BucketResult r = new Quantiles.BucketResult();
    Quantiles.bucketQuantile(0.5, new double[] {1, 2}, new double[] {1, 2}, 2, r);
    assertTrue(Double.isNaN(r.value));
  }

  @Test
  void almostEqualFollowsPrometheus() {
    assertTrue(FloatCompare.almostEqual(Double.NaN, Double.NaN, 1e-6));
    assertTrue(FloatCompare.almostEqual(1.0, 1.0000001, 1e-6));
    assertTrue(!FloatCompare.almostEqual(1.0, 1.001, 1e-6));
    assertTrue(!FloatCompare.almostEqual(dev.kiln.tsdb.model.StaleNaN.VALUE, Double.NaN, 1e-6));
  }
}
