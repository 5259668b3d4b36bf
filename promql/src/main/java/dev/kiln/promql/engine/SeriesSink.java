package dev.kiln.promql.engine;

/**
 * Receives the series of an instant vector one at a time, so operators such as aggregations can
 * consume a selector or range function without the whole vector being materialized.
 */
@FunctionalInterface
interface SeriesSink {
  /**
   * Accepts one series.
   *
   * @return true when the sink keeps the series (its value array or any of its histograms); false
   *     when it is done with it, so the producer may reuse the array and the histograms for the
   *     next series
   */
  boolean accept(StepSeries series);

  /** A sink collecting into a list. */
  static SeriesSink into(java.util.List<StepSeries> out) {
    return s -> {
      out.add(s);
      return true;
    };
  }
}
