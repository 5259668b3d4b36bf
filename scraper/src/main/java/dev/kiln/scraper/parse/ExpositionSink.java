package dev.kiln.scraper.parse;

import dev.kiln.tsdb.storage.MetricType;

/** Receives what an {@link ExpositionParser} reads, in exposition order. */
public interface ExpositionSink {
  /** Marks a sample that carries no timestamp. */
  long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * One sample.
   *
   * @param rawSeries the series as written (name and label block), a stable cache key for the
   *     same series in later scrapes of the same target
   * @param series the parsed series; call {@link ParsedSeries#labels()} only on cache misses
   * @param timestampMillis the explicit timestamp, or {@link #NO_TIMESTAMP}
   */
  void sample(String rawSeries, ParsedSeries series, double value, long timestampMillis);

  /** Metadata of a metric family (called when its HELP/TYPE/UNIT lines were seen). */
  default void metadata(String family, MetricType type, String help, String unit) {}
}
