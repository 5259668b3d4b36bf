package dev.kiln.scraper.parse;

import dev.kiln.tsdb.storage.MetricType;

/**
 * Receives what an {@link ExpositionParser} reads, in exposition order, for callers that keep a
 * cache keyed by the series text of each sample line: the metric name and label block exactly as
 * written (for example {@code http_requests_total{code="200"}}). For a series text the cache
 * knows, the parser skips label parsing altogether and builds no strings.
 *
 * <p>Entries are the caller's non-negative integers. For every sample line the parser first calls
 * {@link #cached}; when it returns a negative number the parser parses and validates the series,
 * reads the value and calls {@link #newSeries}; either way it then calls {@link #sample} with the
 * entry. The {@code buf} ranges are valid only during the
 * call; copy what must be kept. Single-thread, like the parser.
 *
 * <p>A series text is only ever handed to {@link #newSeries} after it parsed without error, so a
 * cached entry always stands for a valid series. The labels it yields can depend on the page's
 * TYPE lines ({@code le}/{@code quantile} normalization); callers keep that in mind when reusing
 * entries across pages.
 */
public interface SeriesCacheSink {
  /**
   * The entry for the series text {@code buf[start, end)}, or a negative number when unknown. Pages tend to list
   * their series in the same order every time, so a sink may try the entry that followed the
   * previous one last time before hashing ({@link ExpositionParser#hash}).
   */
  int cached(byte[] buf, int start, int end);

  /**
   * A series text {@link #cached} did not know, after it parsed without error. Returns the entry
   * (non-negative) then passed to {@link #sample}.
   *
   * @param series the parsed series, valid only during the call
   */
  int newSeries(byte[] buf, int start, int end, ParsedSeries series);

  /**
   * One sample.
   *
   * @param timestampMillis the explicit timestamp, or {@link ExpositionSink#NO_TIMESTAMP}
   */
  void sample(int entry, double value, long timestampMillis);

  /**
   * An exemplar of the sample handed over last (by {@link #sample} or, for protobuf, a histogram),
   * called right after it, once per exemplar.
   *
   * @param timestampMillis the exemplar's own timestamp, or {@link ExpositionSink#NO_TIMESTAMP}
   */
  default void exemplar(dev.kiln.tsdb.model.Labels labels, double value, long timestampMillis) {}

  /** Metadata of a metric family (called when its HELP/TYPE/UNIT lines were seen). */
  default void metadata(String family, MetricType type, String help, String unit) {}
}
