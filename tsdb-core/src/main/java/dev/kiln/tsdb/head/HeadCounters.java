package dev.kiln.tsdb.head;

import dev.kiln.tsdb.storage.AppendException;
import java.util.concurrent.atomic.LongAdder;

/** Monotonic counters of head activity, for self-monitoring. Thread-safe. */
public final class HeadCounters {
  final LongAdder samplesAppended = new LongAdder();
  final LongAdder outOfOrder = new LongAdder();
  final LongAdder outOfBounds = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder seriesCreated = new LongAdder();
  final LongAdder seriesRemoved = new LongAdder();
  final LongAdder chunksCreated = new LongAdder();
  final LongAdder truncations = new LongAdder();

  void rejected(AppendException.Reason reason) {
    switch (reason) {
      case OUT_OF_ORDER -> outOfOrder.increment();
      case OUT_OF_BOUNDS -> outOfBounds.increment();
      case DUPLICATE_SAMPLE -> duplicates.increment();
      default -> {}
    }
  }

  /** Samples stored by commits and replay. */
  public long samplesAppended() {
    return samplesAppended.sum();
  }

  public long outOfOrderSamples() {
    return outOfOrder.sum();
  }

  public long outOfBoundsSamples() {
    return outOfBounds.sum();
  }

  /** Samples rejected for a duplicate timestamp with another value. */
  public long duplicateSamples() {
    return duplicates.sum();
  }

  public long seriesCreated() {
    return seriesCreated.sum();
  }

  public long seriesRemoved() {
    return seriesRemoved.sum();
  }

  /** Chunks started (each cut of a series' open chunk, and each series' first chunk). */
  public long chunksCreated() {
    return chunksCreated.sum();
  }

  public long truncations() {
    return truncations.sum();
  }
}
