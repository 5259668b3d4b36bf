package dev.kiln.tsdb.db;

import java.util.List;

/**
 * Cardinality statistics of the head, as Prometheus's {@code /api/v1/status/tsdb} reports them.
 * Each list is the top entries by count, largest first. Immutable.
 *
 * @param numSeries series in the head
 * @param numLabelPairs distinct label name/value pairs
 * @param chunkCount chunks in the head (open ones included)
 * @param minTime smallest sample time in milliseconds ({@link Long#MAX_VALUE} when empty)
 * @param maxTime largest sample time in milliseconds ({@link Long#MIN_VALUE} when empty)
 * @param seriesCountByMetricName series per {@code __name__} value
 * @param labelValueCountByLabelName distinct values per label name
 * @param memoryInBytesByLabelName bytes of label values per label name (value length × series)
 * @param seriesCountByLabelValuePair series per {@code name=value} pair
 */
public record HeadStats(
    long numSeries,
    long numLabelPairs,
    long chunkCount,
    long minTime,
    long maxTime,
    List<Stat> seriesCountByMetricName,
    List<Stat> labelValueCountByLabelName,
    List<Stat> memoryInBytesByLabelName,
    List<Stat> seriesCountByLabelValuePair) {

  /** One named count. */
  public record Stat(String name, long value) {}
}
