package dev.kiln.server.remote;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Counters of one remote write endpoint, exposed under Prometheus's {@code prometheus_remote_storage_*}
 * names: float samples, native-histogram samples and metadata entries are counted apart, as
 * Prometheus counts them ({@code samples_*}, {@code histograms_*}, {@code metadata_*}).
 */
final class QueueMetrics {
  final AtomicLong samplesSent = new AtomicLong();
  final AtomicLong samplesFailed = new AtomicLong();
  final AtomicLong samplesRetried = new AtomicLong();
  final AtomicLong samplesDropped = new AtomicLong();
  final AtomicLong histogramsSent = new AtomicLong();
  final AtomicLong histogramsFailed = new AtomicLong();
  final AtomicLong histogramsRetried = new AtomicLong();
  final AtomicLong histogramsDropped = new AtomicLong();
  final AtomicLong metadataSent = new AtomicLong();
  final AtomicLong metadataFailed = new AtomicLong();
  final AtomicLong metadataRetried = new AtomicLong();
  final AtomicLong metadataBytes = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong requestsFailed = new AtomicLong();
  final LongAccumulator highestSentMillis = new LongAccumulator(Math::max, 0);
  final LongAccumulator highestQueuedMillis = new LongAccumulator(Math::max, 0);

  /** Counts {@code floats} float samples and {@code histograms} histogram samples as dropped. */
  void dropped(long floats, long histograms) {
    samplesDropped.addAndGet(floats);
    histogramsDropped.addAndGet(histograms);
  }
}
