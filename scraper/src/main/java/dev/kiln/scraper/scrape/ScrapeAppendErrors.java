package dev.kiln.scraper.scrape;

import java.util.concurrent.atomic.LongAdder;

/**
 * The samples and exemplars every scrape loop of a {@link ScrapeManager} had rejected by the
 * storage, under Prometheus's {@code prometheus_target_scrapes_*} names ({@code scrape/metrics.go};
 * counted as its {@code checkAddError} and {@code checkAddExemplarError} count them: when the
 * append is refused, whatever becomes of the scrape afterwards). Thread-safe.
 */
public final class ScrapeAppendErrors {
  private final LongAdder sampleOutOfOrder = new LongAdder();
  private final LongAdder sampleDuplicate = new LongAdder();
  private final LongAdder sampleOutOfBounds = new LongAdder();
  private final LongAdder exemplarOutOfOrder = new LongAdder();

  /** Adds one scrape's rejections. */
  void add(ScrapeCounts c) {
    sampleOutOfOrder.add(c.sampleOutOfOrder);
    sampleDuplicate.add(c.sampleDuplicate);
    sampleOutOfBounds.add(c.sampleOutOfBounds);
    exemplarOutOfOrder.add(c.exemplarOutOfOrder);
  }

  /** Out-of-order exemplars refused so far. */
  public long exemplarOutOfOrder() {
    return exemplarOutOfOrder.sum();
  }

  /** The families in text format 0.0.4, with Prometheus's help texts. */
  public String metricsText() {
    StringBuilder sb = new StringBuilder();
    family(sb, "prometheus_target_scrapes_exemplar_out_of_order_total",
        "Total number of exemplar rejected due to not being out of the expected order.", exemplarOutOfOrder.sum());
    family(sb, "prometheus_target_scrapes_sample_duplicate_timestamp_total",
        "Total number of samples rejected due to duplicate timestamps but different values.", sampleDuplicate.sum());
    family(sb, "prometheus_target_scrapes_sample_out_of_bounds_total",
        "Total number of samples rejected due to timestamp falling outside of the time bounds.", sampleOutOfBounds.sum());
    family(sb, "prometheus_target_scrapes_sample_out_of_order_total",
        "Total number of samples rejected due to not being out of the expected order.", sampleOutOfOrder.sum());
    return sb.toString();
  }

  private static void family(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append(' ').append(v).append('\n');
  }
}
