package dev.kiln.server;

import dev.kiln.config.ByteSizes;
import dev.kiln.server.remotewrite.AcceptedMessages;
import dev.kiln.tsdb.model.Durations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The Prometheus 2.55 / 3.x server flags beyond Kiln's core ones, with Prometheus's names and
 * defaults, so the Prometheus Operator's command line starts Kiln unchanged. Which of them Kiln
 * applies and which it only accepts is listed in {@code docs/operations.md}.
 */
final class PrometheusFlags {
  @Option(names = "--web.config.file", description = "Path to a web configuration file (TLS, basic auth, headers), exporter-toolkit format.")
  Path webConfigFile;

  @Option(names = "--web.route-prefix", defaultValue = "", description = "Prefix for the internal routes of web endpoints (default: path of --web.external-url).")
  String routePrefix;

  @Option(names = "--web.page-title", defaultValue = "Kiln", description = "Document title of the web UI.")
  String pageTitle;

  @Option(names = "--web.max-connections", defaultValue = "512", description = "Maximum number of simultaneous connections.")
  int maxConnections;

  @Option(names = "--web.read-timeout", defaultValue = "5m", description = "Accepted for compatibility (see docs/operations.md).")
  String readTimeout;

  @Option(names = "--web.console.templates", defaultValue = "consoles", description = "Accepted for compatibility; Kiln has no console templates.")
  String consoleTemplates;

  @Option(names = "--web.console.libraries", defaultValue = "console_libraries", description = "Accepted for compatibility; Kiln has no console templates.")
  String consoleLibraries;

  @Option(names = "--web.user-assets", description = "Accepted for compatibility; Kiln serves no user assets.")
  String userAssets;

  @Option(names = "--web.cors.origin", defaultValue = ".*", description = "Accepted for compatibility; Kiln answers CORS for any origin.")
  String corsOrigin;

  @Option(names = "--web.remote-write-receiver.accepted-protobuf-messages", split = ",",
      description = "Remote write protobuf messages accepted (prometheus.WriteRequest, io.prometheus.write.v2.Request).")
  List<String> acceptedRemoteWriteMessages = new ArrayList<>();

  @Option(names = "--enable-feature", split = ",", description = "Comma-separated feature names to enable.")
  List<String> features = new ArrayList<>();

  @Option(names = "--storage.tsdb.retention", description = "Deprecated alias of --storage.tsdb.retention.time.")
  String deprecatedRetention;

  @Option(names = "--storage.tsdb.min-block-duration", defaultValue = "2h", description = "Head block range (minimum block duration).")
  String minBlockDuration;

  @Option(names = "--storage.tsdb.max-block-duration", description = "Maximum duration compacted blocks may span (default: 10% of retention, at most 31d).")
  String maxBlockDuration;

  @Option(names = "--storage.tsdb.samples-per-chunk", defaultValue = "120", description = "Target number of samples per head chunk.")
  int samplesPerChunk;

  @Option(names = "--storage.tsdb.wal-segment-size", defaultValue = "0", description = "Size at which to split the WAL (e.g. 128MB); 0 for Kiln's default.")
  String walSegmentSize;

  @Option(names = "--storage.tsdb.wal-fsync-interval", defaultValue = "0s",
      description = "Kiln only. 0s: fsync the WAL before every commit is acknowledged. A duration (e.g. 10s): write "
          + "every commit to the WAL file before acknowledging it and fsync on this timer, as Prometheus does; an "
          + "operating-system crash or power loss may then lose the last interval's samples.")
  String walFsyncInterval;

  @Option(names = "--storage.tsdb.wal-compression", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Compress the WAL (segments and checkpoints) with Snappy, as Prometheus does by default.")
  boolean walCompression;

  @Option(names = "--storage.tsdb.wal-compression-type", defaultValue = "snappy",
      description = "WAL compression algorithm; only snappy (Prometheus 2.42 writes no other). Newer Prometheus "
          + "versions also accept zstd, which Kiln neither writes nor reads.")
  String walCompressionType;

  @Option(names = "--storage.tsdb.no-lockfile", description = "Accepted for compatibility; Kiln takes no lock file.")
  boolean noLockfile;

  @Option(names = "--storage.tsdb.allow-overlapping-blocks", description = "Accepted for compatibility (always allowed in Prometheus 2.39+).")
  boolean allowOverlappingBlocks;

  @Option(names = "--storage.tsdb.head-chunks-write-queue-size", defaultValue = "0", description = "Accepted for compatibility.")
  int headChunksWriteQueueSize;

  @Option(names = "--storage.remote.flush-deadline", defaultValue = "1m", description = "Accepted for compatibility.")
  String remoteFlushDeadline;

  @Option(names = "--storage.remote.read-sample-limit", defaultValue = "50000000", description = "Accepted for compatibility.")
  long remoteReadSampleLimit;

  @Option(names = "--storage.remote.read-concurrent-limit", defaultValue = "10", description = "Accepted for compatibility.")
  int remoteReadConcurrentLimit;

  @Option(names = "--storage.remote.read-max-bytes-in-frame", defaultValue = "1048576", description = "Accepted for compatibility.")
  long remoteReadMaxBytesInFrame;

  @Option(names = "--rules.alert.for-outage-tolerance", defaultValue = "1h", description = "Accepted for compatibility.")
  String forOutageTolerance;

  @Option(names = "--rules.alert.for-grace-period", defaultValue = "10m", description = "Accepted for compatibility.")
  String forGracePeriod;

  @Option(names = "--rules.alert.resend-delay", defaultValue = "1m", description = "Minimum time before resending an alert to Alertmanager.")
  String resendDelay;

  @Option(names = "--rules.max-concurrent-evals", defaultValue = "4", description = "Accepted for compatibility.")
  int maxConcurrentEvals;

  @Option(names = "--alertmanager.notification-queue-capacity", defaultValue = "10000", description = "Accepted for compatibility.")
  int notificationQueueCapacity;

  @Option(names = "--alertmanager.drain-notification-queue-on-shutdown", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Accepted for compatibility.")
  boolean drainNotificationQueue;

  @Option(names = "--scrape.adjust-timestamps", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Accepted for compatibility.")
  boolean adjustTimestamps;

  @Option(names = "--scrape.timestamp-tolerance", defaultValue = "2ms", description = "Accepted for compatibility.")
  String timestampTolerance;

  @Option(names = "--scrape.discovery-reload-interval", defaultValue = "5s", description = "Accepted for compatibility.")
  String discoveryReloadInterval;

  @Option(names = "--log.format", defaultValue = "logfmt", description = "logfmt or json (accepted; see docs/operations.md).")
  String logFormat;

  @Option(names = "--config.auto-reload-interval", defaultValue = "30s", description = "With --enable-feature=auto-reload-config: how often to check the config file.")
  String autoReloadInterval;

  @Option(names = "--auto-gomemlimit.ratio", defaultValue = "0.9", description = "Accepted for compatibility (Go runtime setting).")
  double goMemLimitRatio;

  /** The HTTP front's options; {@code externalUrlPath} is the default route prefix. */
  WebOptions webOptions(String externalUrlPath) {
    return new WebOptions(webConfigFile, WebOptions.normalizeRoutePrefix(routePrefix, externalUrlPath), pageTitle,
        maxConnections);
  }

  /** Storage, rule, feature and receiver settings; every value is checked as Prometheus parses it. */
  Tuning tuning(CommandLine cmd) {
    if (!List.of("logfmt", "json").contains(logFormat)) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --log.format: " + logFormat);
    }
    for (String m : acceptedRemoteWriteMessages) {
      if (!AcceptedMessages.ALL.contains(m)) {
        throw new CommandLine.ParameterException(cmd,
            "invalid value for --web.remote-write-receiver.accepted-protobuf-messages: " + m);
      }
    }
    String[][] durations = {{"--web.read-timeout", readTimeout}, {"--storage.remote.flush-deadline", remoteFlushDeadline},
        {"--rules.alert.for-outage-tolerance", forOutageTolerance}, {"--rules.alert.for-grace-period", forGracePeriod},
        {"--scrape.timestamp-tolerance", timestampTolerance}, {"--scrape.discovery-reload-interval", discoveryReloadInterval},
        {"--config.auto-reload-interval", autoReloadInterval},
        {"--storage.tsdb.wal-fsync-interval", walFsyncInterval}};
    for (String[] d : durations) {
      millis(cmd, d[0], d[1]);
    }
    if (!"snappy".equals(walCompressionType)) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --storage.tsdb.wal-compression-type: "
          + walCompressionType + ("zstd".equals(walCompressionType)
              ? " (Kiln compresses its WAL with snappy only, as Prometheus 2.42)" : " (want snappy)"));
    }
    long walSegment;
    try {
      walSegment = ByteSizes.parseBytes(walSegmentSize);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --storage.tsdb.wal-segment-size: " + e.getMessage());
    }
    return new Tuning(millis(cmd, "--storage.tsdb.min-block-duration", minBlockDuration),
        maxBlockDuration == null ? 0 : millis(cmd, "--storage.tsdb.max-block-duration", maxBlockDuration),
        samplesPerChunk, walSegment, millis(cmd, "--rules.alert.resend-delay", resendDelay), FeatureFlags.parse(features),
        acceptedRemoteWriteMessages.isEmpty() ? AcceptedMessages.ALL : List.copyOf(acceptedRemoteWriteMessages),
        millis(cmd, "--storage.tsdb.wal-fsync-interval", walFsyncInterval), walCompression);
  }

  private static long millis(CommandLine cmd, String flag, String value) {
    try {
      return Durations.parseMillis(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, "invalid value for " + flag + ": " + e.getMessage());
    }
  }
}
