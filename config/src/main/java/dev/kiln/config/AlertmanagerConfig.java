package dev.kiln.config;

import dev.kiln.config.relabel.RelabelConfig;
import java.nio.file.Path;
import java.util.List;

/** One {@code alerting.alertmanagers} entry. */
public record AlertmanagerConfig(
    String scheme,
    String pathPrefix,
    long timeoutMillis,
    String apiVersion,
    List<TargetGroup> staticConfigs,
    List<FileSdConfig> fileSdConfigs,
    List<KubernetesSdConfig> kubernetesSdConfigs,
    List<RelabelConfig> relabelConfigs,
    List<RelabelConfig> alertRelabelConfigs,
    HttpClientConfig http) {

  static AlertmanagerConfig parse(YamlNode n, Path baseDir) {
    String scheme = n.string("scheme", "http");
    String prefix = n.string("path_prefix", "/");
    long timeout = n.duration("timeout", 10_000);
    String api = n.string("api_version", "v2");
    if (!api.equals("v2")) {
      throw n.error("expected Alertmanager api version to be one of [v2] but got " + api);
    }
    List<TargetGroup> statics = n.list("static_configs", g -> TargetGroup.parse(g, "static"));
    List<FileSdConfig> files = n.list("file_sd_configs", f -> FileSdConfig.parse(f, baseDir));
    List<KubernetesSdConfig> k8s = n.list("kubernetes_sd_configs", k -> KubernetesSdConfig.parse(k, baseDir));
    List<RelabelConfig> relabel = n.list("relabel_configs", RelabelConfig::parse);
    List<RelabelConfig> alertRelabel = n.list("alert_relabel_configs", RelabelConfig::parse);
    HttpClientConfig http = HttpClientConfig.parse(n, baseDir);
    n.rejectUnknownKeys("alertmanager_config");
    return new AlertmanagerConfig(scheme, prefix, timeout, api, statics, files, k8s, relabel, alertRelabel, http);
  }
}
