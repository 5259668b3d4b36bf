package dev.kiln.server;

import java.util.Set;

/**
 * Storage, rule and feature settings from Prometheus's flags. Immutable. Zero means "Kiln's
 * default" for every numeric field.
 *
 * @param minBlockMillis {@code --storage.tsdb.min-block-duration} (the head's block range)
 * @param maxBlockMillis {@code --storage.tsdb.max-block-duration}
 * @param samplesPerChunk {@code --storage.tsdb.samples-per-chunk}
 * @param walSegmentBytes {@code --storage.tsdb.wal-segment-size}
 * @param resendDelayMillis {@code --rules.alert.resend-delay}
 * @param features {@code --enable-feature} names Kiln knows
 * @param remoteWriteMessages {@code --web.remote-write-receiver.accepted-protobuf-messages}
 * @param walFsyncIntervalMillis {@code --storage.tsdb.wal-fsync-interval} (Kiln only): 0 fsyncs every
 *     commit, a positive interval fsyncs the WAL on that timer
 * @param walCompression {@code --storage.tsdb.wal-compression}: Snappy-compress WAL records (the
 *     default, as Prometheus)
 */
public record Tuning(long minBlockMillis, long maxBlockMillis, int samplesPerChunk, long walSegmentBytes,
    long resendDelayMillis, Set<String> features, java.util.List<String> remoteWriteMessages,
    long walFsyncIntervalMillis, boolean walCompression) {
  /** Prometheus's defaults. */
  public static final Tuning DEFAULTS = new Tuning(0, 0, 0, 0, 60_000, Set.of(),
      dev.kiln.server.remotewrite.AcceptedMessages.ALL, 0, true);
}
