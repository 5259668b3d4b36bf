package dev.kiln.scraper.parse;

import dev.kiln.tsdb.model.Labels;

/** The series of the sample being delivered; valid only during the sink callback. */
public interface ParsedSeries {
  /** The metric name. */
  String metricName();

  /** The full label set including {@code __name__}; empty label values are dropped. */
  Labels labels();
}
