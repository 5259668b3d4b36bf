package dev.kiln.server;

import java.nio.file.Path;

/**
 * The server's settings from the command line, with Prometheus's flag names. Immutable.
 *
 * @param configFile {@code --config.file}, or null for the embedded default configuration
 * @param retentionMillis {@code --storage.tsdb.retention.time}
 * @param retentionBytes {@code --storage.tsdb.retention.size}, 0 for none
 */
public record KilnOptions(
    Path configFile,
    Path dataPath,
    long retentionMillis,
    long retentionBytes,
    String listenHost,
    int listenPort,
    boolean remoteWriteReceiver,
    boolean adminApi,
    boolean lifecycle,
    long queryTimeoutMillis,
    long queryMaxSamples,
    long lookbackDeltaMillis,
    int queryMaxConcurrency,
    String externalUrl) {}
