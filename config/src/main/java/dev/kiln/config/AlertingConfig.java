package dev.kiln.config;

import dev.kiln.config.relabel.RelabelConfig;
import java.nio.file.Path;
import java.util.List;

/** The {@code alerting} section. */
public record AlertingConfig(List<RelabelConfig> alertRelabelConfigs, List<AlertmanagerConfig> alertmanagers) {
  public static final AlertingConfig NONE = new AlertingConfig(List.of(), List.of());

  static AlertingConfig parse(YamlNode n, Path baseDir) {
    if (n.absent()) {
      return NONE;
    }
    List<RelabelConfig> relabel = n.list("alert_relabel_configs", RelabelConfig::parse);
    List<AlertmanagerConfig> ams = n.list("alertmanagers", a -> AlertmanagerConfig.parse(a, baseDir));
    n.rejectUnknownKeys("alerting");
    return new AlertingConfig(relabel, ams);
  }
}
