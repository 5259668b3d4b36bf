package dev.kiln.scraper.parse;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;

/**
 * A {@link SeriesCacheSink} that also takes native histograms, for {@link ProtobufParser}. The
 * series keys it hands to {@link #cached} are Prometheus's protobuf entry bytes (name, then each
 * further label as 0xFF name 0xFF value, sorted), which never equal a text format's series text.
 */
public interface ProtobufSink extends SeriesCacheSink {
  /**
   * One native-histogram sample; exactly one of {@code h} and {@code fh} is non-null and the sink
   * takes ownership of it.
   *
   * @param timestampMillis the explicit timestamp, or {@link ExpositionSink#NO_TIMESTAMP}
   */
  void histogram(int entry, Histogram h, FloatHistogram fh, long timestampMillis);

  /**
   * The created timestamp of the metric whose series follow (until the next call), in
   * milliseconds, or 0 when it has none (always 0 for gauges and untyped metrics).
   */
  default void created(long createdMillis) {}

  /**
   * The sample handed over last (by {@link #sample} or {@link #histogram}) takes the explicit
   * timestamp {@code timestampMillis} instead of the one it came with: a converted histogram learns
   * its timestamp from the line after it.
   */
  default void retime(long timestampMillis) {}
}
