package dev.kiln.server.remotewrite;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the remote write receiver, exposed on {@code /metrics}. Thread-safe. */
public final class RemoteWriteStats {
  private final LongAdder samples = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder invalidLabels = new LongAdder();

  void samples(long n) {
    samples.add(n);
  }

  void rejected(long n) {
    rejected.add(n);
  }

  void invalidLabels(long n) {
    invalidLabels.add(n);
  }

  /** Samples of series skipped for invalid labels. */
  public long samplesWithInvalidLabels() {
    return invalidLabels.sum();
  }

  /** Samples written through remote write. */
  public long samplesWritten() {
    return samples.sum();
  }

  /** Samples rejected (out of order, duplicate, out of bounds, unsupported). */
  public long samplesRejected() {
    return rejected.sum();
  }
}
