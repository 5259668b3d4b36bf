package dev.kiln.server.remote;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/** Counters of one remote write endpoint, exposed under Prometheus's {@code prometheus_remote_storage_*} names. */
final class QueueMetrics {
  final AtomicLong samplesSent = new AtomicLong();
  final AtomicLong samplesFailed = new AtomicLong();
  final AtomicLong samplesRetried = new AtomicLong();
  final AtomicLong samplesDropped = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong requestsFailed = new AtomicLong();
  final LongAccumulator highestSentMillis = new LongAccumulator(Math::max, 0);
  final LongAccumulator highestQueuedMillis = new LongAccumulator(Math::max, 0);
}
