package dev.kiln.server;

import java.nio.file.Path;

/**
 * The server's settings from the command line, with Prometheus's flag names. Immutable.
 *
 * @param configFile {@code --config.file}, or null for the embedded default configuration
 * @param retentionMillis {@code --storage.tsdb.retention.time}
 * @param retentionBytes {@code --storage.tsdb.retention.size}, 0 for none
 * @param web TLS, authentication, route prefix and connection limit of the HTTP front
 * @param tuning storage, rule and feature flags
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
    String externalUrl,
    WebOptions web,
    Tuning tuning) {

  /** Settings with {@link WebOptions#DEFAULTS} and {@link Tuning#DEFAULTS}. */
  public KilnOptions(Path configFile, Path dataPath, long retentionMillis, long retentionBytes, String listenHost,
      int listenPort, boolean remoteWriteReceiver, boolean adminApi, boolean lifecycle, long queryTimeoutMillis,
      long queryMaxSamples, long lookbackDeltaMillis, int queryMaxConcurrency, String externalUrl) {
    this(configFile, dataPath, retentionMillis, retentionBytes, listenHost, listenPort, remoteWriteReceiver, adminApi,
        lifecycle, queryTimeoutMillis, queryMaxSamples, lookbackDeltaMillis, queryMaxConcurrency, externalUrl,
        WebOptions.DEFAULTS, Tuning.DEFAULTS);
  }
}
