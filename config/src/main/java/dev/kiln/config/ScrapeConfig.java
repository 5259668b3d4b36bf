package dev.kiln.config;

import dev.kiln.config.relabel.RelabelConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One {@code scrape_configs} entry with every default resolved. Durations in milliseconds. */
public record ScrapeConfig(
    String jobName,
    long scrapeIntervalMillis,
    long scrapeTimeoutMillis,
    String metricsPath,
    String scheme,
    Map<String, List<String>> params,
    boolean honorLabels,
    boolean honorTimestamps,
    boolean trackTimestampsStaleness,
    boolean enableCompression,
    ScrapeLimits limits,
    String fallbackScrapeProtocol,
    List<TargetGroup> staticConfigs,
    List<FileSdConfig> fileSdConfigs,
    List<KubernetesSdConfig> kubernetesSdConfigs,
    List<RelabelConfig> relabelConfigs,
    List<RelabelConfig> metricRelabelConfigs,
    HttpClientConfig http,
    NativeHistogramScrape histograms) {

  /** This job under {@code --enable-feature=native-histograms}. */
  public ScrapeConfig withNativeHistogramsFeature() {
    return new ScrapeConfig(jobName, scrapeIntervalMillis, scrapeTimeoutMillis, metricsPath, scheme, params, honorLabels,
        honorTimestamps, trackTimestampsStaleness, enableCompression, limits, fallbackScrapeProtocol, staticConfigs,
        fileSdConfigs, kubernetesSdConfigs, relabelConfigs, metricRelabelConfigs, http,
        histograms.withNativeHistogramsFeature());
  }

  /** This job under {@code --enable-feature=created-timestamp-zero-ingestion}: protobuf first unless protocols are set. */
  public ScrapeConfig withCreatedTimestampZeroFeature() {
    return new ScrapeConfig(jobName, scrapeIntervalMillis, scrapeTimeoutMillis, metricsPath, scheme, params, honorLabels,
        honorTimestamps, trackTimestampsStaleness, enableCompression, limits, fallbackScrapeProtocol, staticConfigs,
        fileSdConfigs, kubernetesSdConfigs, relabelConfigs, metricRelabelConfigs, http,
        histograms.withProtobufFirstDefault());
  }


  static ScrapeConfig parse(YamlNode n, GlobalConfig global, Path baseDir) {
    String job = n.string("job_name", "");
    if (job.isEmpty()) {
      throw n.error("job_name is empty");
    }
    long interval = n.duration("scrape_interval", global.scrapeIntervalMillis());
    boolean timeoutSet = !n.get("scrape_timeout").absent();
    long timeout = n.duration("scrape_timeout", Math.min(global.scrapeTimeoutMillis(), interval));
    if (interval <= 0) {
      throw n.error("scrape_interval must be greater than 0 for scrape config with job name \"" + job + "\"");
    }
    if (timeoutSet && timeout > interval) {
      throw n.error("scrape timeout greater than scrape interval for scrape config with job name \"" + job + "\"");
    }
    String path = n.string("metrics_path", "/metrics");
    String scheme = n.string("scheme", "http");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw n.error("invalid scheme \"" + scheme + "\" for scrape config with job name \"" + job + "\"");
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    YamlNode p = n.get("params");
    for (String k : p.keys()) {
      params.put(k, p.strings(k));
    }
    boolean honorLabels = n.bool("honor_labels", false);
    boolean honorTimestamps = n.bool("honor_timestamps", true);
    boolean track = n.bool("track_timestamps_staleness", false);
    boolean compression = n.bool("enable_compression", true);
    ScrapeLimits limits = ScrapeLimits.parse(n, global.limits());
    String fallback = n.string("fallback_scrape_protocol", null);
    if (fallback != null && !List.of("PrometheusText0.0.4", "PrometheusText1.0.0", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto").contains(fallback)) {
      throw n.error("unknown fallback_scrape_protocol \"" + fallback + "\"");
    }
    NativeHistogramScrape histograms = NativeHistogramScrape.parseJob(n, global.histograms());
    List<TargetGroup> statics = n.list("static_configs", g -> TargetGroup.parse(g, "static"));
    List<FileSdConfig> files = n.list("file_sd_configs", f -> FileSdConfig.parse(f, baseDir));
    List<KubernetesSdConfig> k8s = n.list("kubernetes_sd_configs", k -> KubernetesSdConfig.parse(k, baseDir));
    List<RelabelConfig> relabel = n.list("relabel_configs", RelabelConfig::parse);
    List<RelabelConfig> metricRelabel = n.list("metric_relabel_configs", RelabelConfig::parse);
    HttpClientConfig http = HttpClientConfig.parse(n, baseDir);
    n.rejectUnknownKeys("scrape_config");
    return new ScrapeConfig(job, interval, timeout, path, scheme, Map.copyOf(params), honorLabels, honorTimestamps, track,
        compression, limits, fallback, statics, files, k8s, relabel, metricRelabel, http, histograms);
  }
}
