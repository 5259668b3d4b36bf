package dev.kiln.promql.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The time range one query reads: the querier must cover every sample evaluation can touch. */
class DataRangeTest {
  private static final long LOOKBACK = 300_000;

  private static long[] range(String q, Grid g) {
    Plan p = PlanParser.DEFAULT.parse(q, g.isInstant() ? 0 : g.interval(), g.end() - g.start());
    return DataRange.of(p, g, LOOKBACK, 60_000);
  }

  @Test
  void instantSelectorsReachBackByTheLookback() {
    assertArrayEquals(new long[] {1_000_000 - LOOKBACK + 1, 1_000_000}, range("x", Grid.instant(1_000_000)));
    assertArrayEquals(new long[] {1_000_000 - LOOKBACK + 1 - 60_000, 2_000_000 - 60_000},
        range("x offset 1m", new Grid(1_000_000, 2_000_000, 10_000)));
  }

  @Test
  void rangeSelectorsAreLeftOpen() {
    assertArrayEquals(new long[] {1_000_000 - 300_000 + 1, 1_000_000}, range("rate(x[5m])", Grid.instant(1_000_000)));
  }

  @Test
  void atPinsTheRangeWhateverTheSteps() {
    assertArrayEquals(new long[] {100_000 - 60_000 + 1, 100_000},
        range("rate(x[1m] @ 100)", new Grid(1_000_000, 2_000_000, 10_000)));
  }

  @Test
  void subqueriesWidenByTheirRangeAndAlignToTheirStep() {
    // Inner steps start at the first multiple of 1m after 1,000s - 10m = 400s, i.e. 420s.
    assertArrayEquals(new long[] {420_000 - 60_000 + 1, 1_000_000},
        range("max_over_time(rate(x[1m])[10m:1m])", Grid.instant(1_000_000)));
  }

  @Test
  void smoothedAndAnchoredReachFurther() {
    assertArrayEquals(new long[] {1_000_000 - 60_000 - LOOKBACK + 1, 1_000_000 + LOOKBACK},
        range("rate(x[1m] smoothed)", Grid.instant(1_000_000)));
    assertArrayEquals(new long[] {1_000_000 - 60_000 - LOOKBACK + 1, 1_000_000},
        range("increase(x[1m] anchored)", Grid.instant(1_000_000)));
  }
}
