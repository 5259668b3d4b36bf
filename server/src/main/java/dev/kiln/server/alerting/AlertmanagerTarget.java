package dev.kiln.server.alerting;

import dev.kiln.config.AlertmanagerConfig;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.config.relabel.Relabeler;
import dev.kiln.tsdb.model.Labels;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** One Alertmanager to push alerts to, after relabeling of the configured targets. */
public record AlertmanagerTarget(URI url, long timeoutMillis, HttpClientConfig http, AlertmanagerConfig config) {

  /** Resolves the static targets of an {@code alertmanagers} entry as Prometheus does. */
  public static List<AlertmanagerTarget> resolve(AlertmanagerConfig cfg) {
    return resolve(cfg, cfg.staticConfigs());
  }

  /** Resolves discovered target groups of an {@code alertmanagers} entry, relabeled as Prometheus does. */
  public static List<AlertmanagerTarget> resolve(AlertmanagerConfig cfg, List<TargetGroup> groups) {
    List<AlertmanagerTarget> out = new ArrayList<>();
    String prefix = cfg.pathPrefix();
    String alertsPath = (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix) + "/api/v2/alerts";
    for (TargetGroup g : groups) {
      for (int i = 0; i < g.targets().size(); i++) {
        String address = g.targets().get(i);
        Labels.Builder b = Labels.builder();
        g.labels().forEach(b::set);
        g.labelsOf(i).forEach(b::set);
        b.set("__address__", address);
        b.set("__scheme__", cfg.scheme());
        b.set("__alerts_path__", alertsPath);
        Labels l = Relabeler.process(b.build(), cfg.relabelConfigs());
        if (l == null || l.get("__address__") == null) {
          continue;
        }
        URI url = URI.create(l.get("__scheme__") + "://" + l.get("__address__") + l.getOrEmpty("__alerts_path__"));
        out.add(new AlertmanagerTarget(url, cfg.timeoutMillis(), cfg.http(), cfg));
      }
    }
    return out;
  }
}
