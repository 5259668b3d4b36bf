package dev.kiln.config;

import dev.kiln.config.relabel.RelabelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Loads and validates {@code prometheus.yml} strictly, as Prometheus does. */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Loads a file; relative paths inside are resolved against its directory. */
  public static PrometheusConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(file.toString(), text, dir);
  }

  /** Parses configuration text. */
  public static PrometheusConfig parse(String source, String text, Path baseDir) {
    YamlNode root = YamlNode.parse(source, text);
    GlobalConfig global = GlobalConfig.parse(root.get("global"));
    List<ScrapeConfig> scrape = new ArrayList<>(root.list("scrape_configs", n -> ScrapeConfig.parse(n, global, baseDir)));
    for (String glob : root.strings("scrape_config_files")) {
      for (Path p : Globs.expand(baseDir, glob)) {
        String inner;
        try {
          inner = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw root.error("cannot read scrape config file " + p + ": " + e.getMessage());
        }
        YamlNode sub = YamlNode.parse(p.toString(), inner);
        scrape.addAll(sub.list("scrape_configs", n -> ScrapeConfig.parse(n, global, p.getParent())));
        sub.rejectUnknownKeys("scrape config file");
      }
    }
    Set<String> jobs = new HashSet<>();
    for (ScrapeConfig c : scrape) {
      if (!jobs.add(c.jobName())) {
        throw new ConfigException(source + ": found multiple scrape configs with job name \"" + c.jobName() + "\"");
      }
    }
    List<String> ruleFiles = new ArrayList<>();
    for (String r : root.strings("rule_files")) {
      ruleFiles.add(baseDir == null ? r : baseDir.resolve(r).toString());
    }
    AlertingConfig alerting = AlertingConfig.parse(root.get("alerting"), baseDir);
    List<RemoteEndpointConfig> rw = root.list("remote_write", n -> RemoteEndpointConfig.parseWrite(n, baseDir));
    List<RemoteEndpointConfig> rr = root.list("remote_read", n -> RemoteEndpointConfig.parseRead(n, baseDir));
    StorageSettings storage = StorageSettings.parse(root.get("storage"));
    root.get("tracing");
    boolean legacyNames = "legacy".equals(root.get("global").string("metric_name_validation_scheme", "utf8"));
    OtlpConfig otlp = OtlpConfig.parse(root.get("otlp"), legacyNames);
    root.get("runtime");
    boolean hostMetrics = true;
    Path notifications = null;
    YamlNode kiln = root.get("kiln");
    if (!kiln.absent()) {
      hostMetrics = kiln.bool("host_metrics", true);
      String nf = kiln.string("notifications_file", null);
      if (nf != null) {
        notifications = baseDir == null ? Path.of(nf) : baseDir.resolve(nf);
      }
      kiln.rejectUnknownKeys("kiln");
    }
    root.rejectUnknownKeys("config");
    return new PrometheusConfig(source, text, global, List.copyOf(scrape), List.copyOf(ruleFiles), alerting, rw, rr,
        hostMetrics, notifications, baseDir, storage, otlp);
  }

  /** Parses one relabel_config list from YAML text (used by tests and other sections). */
  public static List<RelabelConfig> parseRelabelConfigs(String source, String yamlList) {
    return YamlNode.parse(source, "r: " + yamlList).list("r", RelabelConfig::parse);
  }
}
