package dev.kiln.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded {@code prometheus.yml}. Immutable; a reload produces a new instance.
 *
 * @param source the file it came from ("embedded" for the built-in default)
 * @param text the original YAML, for {@code /api/v1/status/config}
 * @param ruleFiles rule file globs, resolved against the config directory
 * @param hostMetrics whether Kiln's built-in host metrics collector is enabled (Kiln extension
 *     {@code kiln: {host_metrics: false}})
 * @param notificationsFile Kiln extension {@code kiln: {notifications_file: ...}}: an
 *     Alertmanager-format file for Kiln's built-in notifier, or null
 * @param storage the {@code storage} section's retention, overriding the flags when set
 * @param otlp the {@code otlp} section: how the OTLP receiver translates metrics
 */
public record PrometheusConfig(
    String source,
    String text,
    GlobalConfig global,
    List<ScrapeConfig> scrapeConfigs,
    List<String> ruleFiles,
    AlertingConfig alerting,
    List<RemoteEndpointConfig> remoteWrite,
    List<RemoteEndpointConfig> remoteRead,
    boolean hostMetrics,
    Path notificationsFile,
    Path baseDir,
    StorageSettings storage,
    OtlpConfig otlp) {

  /** Finds a scrape config by job name. */
  public ScrapeConfig scrapeConfig(String jobName) {
    for (ScrapeConfig c : scrapeConfigs) {
      if (c.jobName().equals(jobName)) {
        return c;
      }
    }
    return null;
  }
}
