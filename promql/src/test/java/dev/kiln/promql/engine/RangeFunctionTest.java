package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RangeFunctionTest {
  private static final double[] SCRATCH = new double[64];

  private static double apply(RangeFunction f, long[] ts, double[] vs, long start, long end) {
    return f.apply(ts, vs, 0, ts.length, start, end, end, Double.NaN, Double.NaN, SCRATCH);
  }

  @Test
  void rateExtrapolatesToTheWindowBoundaries() {
    // Samples every 10 s from t=10 s to 50 s, counter rising by 1 per sample; window (0, 60 s].
    long[] ts = {10_000, 20_000, 30_000, 40_000, 50_000};
    double[] vs = {1, 2, 3, 4, 5};
    // Both gaps (10 s) are below 1.1 average intervals, so the rate extrapolates to both
    // boundaries: increase = 4 * (40 + 10 + 10) / 40.
    assertEquals(4 * 60.0 / 40, apply(RangeFunction.INCREASE, ts, vs, 0, 60_000), 1e-12);
    assertEquals(4 * 60.0 / 40 / 60, apply(RangeFunction.RATE, ts, vs, 0, 60_000), 1e-12);
  }

  @Test
  void counterResetsAddThePreviousValue() {
    long[] ts = {0, 10_000, 20_000};
    double[] vs = {5, 1, 3};
    // Raw increase 3 - 5 = -2 plus 5 for the reset; window exactly covers the samples.
    assertEquals(3, apply(RangeFunction.INCREASE, ts, vs, -1, 20_000), 0.01);
    assertEquals(-2, apply(RangeFunction.DELTA, ts, vs, -1, 20_000), 0.01);
    assertEquals(1, apply(RangeFunction.RESETS, ts, vs, -1, 20_000));
    assertEquals(2, apply(RangeFunction.CHANGES, ts, vs, -1, 20_000));
  }

  @Test
  void fewerThanTwoSamplesGiveNoRate() {
    assertTrue(Points.isAbsent(apply(RangeFunction.RATE, new long[] {1}, new double[] {1}, 0, 10)));
    assertTrue(Points.isAbsent(apply(RangeFunction.IRATE, new long[] {1}, new double[] {1}, 0, 10)));
  }

  @Test
  void irateUsesTheLastTwoSamplesAndTreatsDropsAsResets() {
    long[] ts = {0, 10_000, 20_000};
    assertEquals(0.2, apply(RangeFunction.IRATE, ts, new double[] {1, 2, 4}, -1, 20_000), 1e-12);
    assertEquals(0.1, apply(RangeFunction.IRATE, ts, new double[] {1, 5, 1}, -1, 20_000), 1e-12);
    assertEquals(-4, apply(RangeFunction.IDELTA, ts, new double[] {1, 5, 1}, -1, 20_000), 1e-12);
  }

  @Test
  void overTimeAggregates() {
    long[] ts = {1000, 2000, 3000, 4000};
    double[] vs = {1, 2, 3, 4};
    assertEquals(2.5, apply(RangeFunction.AVG_OVER_TIME, ts, vs, 0, 4000), 0);
    assertEquals(10, apply(RangeFunction.SUM_OVER_TIME, ts, vs, 0, 4000), 0);
    assertEquals(4, apply(RangeFunction.COUNT_OVER_TIME, ts, vs, 0, 4000), 0);
    assertEquals(1.25, apply(RangeFunction.STDVAR_OVER_TIME, ts, vs, 0, 4000), 1e-12);
    assertEquals(4, apply(RangeFunction.LAST_OVER_TIME, ts, vs, 0, 4000), 0);
    assertEquals(1, apply(RangeFunction.DERIV, ts, vs, 0, 4000), 1e-12);
    assertEquals(1, apply(RangeFunction.MAD_OVER_TIME, ts, vs, 0, 4000), 1e-12);
  }

  @Test
  void kahanSummationKeepsSmallTerms() {
    double[] vs = {1e16, 1, -1e16};
    long[] ts = {1, 2, 3};
    assertEquals(1, apply(RangeFunction.SUM_OVER_TIME, ts, vs, 0, 3), 0);
  }

  @Test
  void counterRateIsExtrapolatedRateBitForBit() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int round = 0; round < 20_000; round++) {
      int n = 2 + rnd.nextInt(40);
      long[] ts = new long[n];
      double[] vs = new double[n];
      long t = rnd.nextLong(-1_000_000, 1_000_000);
      double v = rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble() * Math.pow(10, rnd.nextInt(-3, 15));
      boolean resets = false;
      for (int k = 0; k < n; k++) {
        t += 1 + rnd.nextLong(rnd.nextBoolean() ? 15_000 : 60_000);
        if (k > 0 && rnd.nextInt(12) == 0) {
          v = rnd.nextDouble() * v;
          resets = true;
        } else {
          v += rnd.nextInt(5) == 0 ? 0 : rnd.nextDouble() * Math.pow(10, rnd.nextInt(-2, 6));
        }
        ts[k] = t;
        vs[k] = v;
      }
      long start = ts[0] - 1 - rnd.nextLong(90_000);
      long end = ts[n - 1] + rnd.nextLong(90_000);
      double seconds = (double) (end - start) / 1000;
      for (boolean isRate : new boolean[] {true, false}) {
        double expected = RangeFunction.extrapolatedRate(ts, vs, 0, n, start, end, true, isRate);
        double got = RangeFunction.counterRate(ts, vs, 0, n, start, end, seconds, isRate, resets);
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
            "round " + round + " rate " + isRate);
      }
    }
  }
}
