package dev.kiln.promql;

/**
 * Engine-wide settings, fixed at construction.
 *
 * @param maxSamples most samples a query may hold in memory at once ({@code --query.max-samples})
 * @param timeoutMillis query timeout ({@code --query.timeout})
 * @param lookbackDeltaMillis default lookback for instant selectors ({@code --query.lookback-delta})
 * @param maxPointsPerSeries most points per series in a range query (Prometheus: 11,000)
 * @param defaultSubqueryStepMillis step of a subquery written without one, {@code x[1h:]}
 *     (Prometheus uses the global {@code evaluation_interval}, default 1 minute)
 */
public record EngineOptions(
    long maxSamples, long timeoutMillis, long lookbackDeltaMillis, int maxPointsPerSeries,
    long defaultSubqueryStepMillis) {
  /** Prometheus's defaults: 50M samples, 2 minutes, 5 minutes, 11,000 points, 1 minute. */
  public static final EngineOptions DEFAULTS =
      new EngineOptions(50_000_000L, 120_000L, 300_000L, 11_000, 60_000L);

  public EngineOptions {
    if (defaultSubqueryStepMillis <= 0) {
      throw new IllegalArgumentException("default subquery step must be positive");
    }
  }

  /** Options with the default subquery step of 1 minute. */
  public EngineOptions(long maxSamples, long timeoutMillis, long lookbackDeltaMillis, int maxPointsPerSeries) {
    this(maxSamples, timeoutMillis, lookbackDeltaMillis, maxPointsPerSeries, 60_000L);
  }
}
