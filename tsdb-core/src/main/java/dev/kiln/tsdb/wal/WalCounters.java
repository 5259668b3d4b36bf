package dev.kiln.tsdb.wal;

import java.util.concurrent.atomic.LongAdder;

/** Monotonic counters of write-ahead log activity, for self-monitoring. Thread-safe. */
public final class WalCounters {
  final LongAdder fsyncs = new LongAdder();
  final LongAdder fsyncNanos = new LongAdder();
  final LongAdder corruptions = new LongAdder();
  final LongAdder checkpoints = new LongAdder();
  final LongAdder segmentsDeleted = new LongAdder();
  final LongAdder recordsWritten = new LongAdder();

  void fsync(long nanos) {
    fsyncs.increment();
    fsyncNanos.add(nanos);
  }

  public long fsyncs() {
    return fsyncs.sum();
  }

  /** Total time spent in fsync, seconds. */
  public double fsyncSeconds() {
    return fsyncNanos.sum() / 1e9;
  }

  /** Corruptions found (and repaired) during replay. */
  public long corruptions() {
    return corruptions.sum();
  }

  public long checkpoints() {
    return checkpoints.sum();
  }

  /** Segments removed after being checkpointed or dropped by a repair. */
  public long segmentsDeleted() {
    return segmentsDeleted.sum();
  }

  public long recordsWritten() {
    return recordsWritten.sum();
  }
}
