package dev.kiln.scraper.scrape;

import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.config.relabel.Relabeler;
import dev.kiln.tsdb.model.Durations;
import dev.kiln.tsdb.model.Labels;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns discovered target groups into targets, as Prometheus's {@code PopulateLabels}. */
public final class TargetBuilder {
  private TargetBuilder() {}

  /**
   * The outcome for one discovered target: a target, or a reason it was dropped. {@code discovered}
   * holds the labels before relabeling, with the scrape defaults filled in, as the targets API shows.
   */
  public record Result(Labels discovered, Target target, String error) {}

  /** Builds every target of the groups. */
  public static List<Result> build(ScrapeConfig cfg, List<TargetGroup> groups) {
    List<Result> out = new ArrayList<>();
    for (TargetGroup g : groups) {
      for (int i = 0; i < g.targets().size(); i++) {
        Labels.Builder b = Labels.builder();
        g.labelsOf(i).forEach(b::set);
        b.set("__address__", g.targets().get(i));
        g.labels().forEach((k, v) -> {
          if (b.get(k) == null) {
            b.set(k, v);
          }
        });
        out.add(build(cfg, b.build()));
      }
    }
    return out;
  }

  /** Builds one target from its discovered labels. */
  public static Result build(ScrapeConfig cfg, Labels discovered) {
    Labels.Builder b = discovered.toBuilder();
    setDefault(b, "job", cfg.jobName());
    setDefault(b, "__scheme__", cfg.scheme());
    setDefault(b, "__metrics_path__", cfg.metricsPath());
    setDefault(b, "__scrape_interval__", Durations.format(cfg.scrapeIntervalMillis()));
    setDefault(b, "__scrape_timeout__", Durations.format(cfg.scrapeTimeoutMillis()));
    for (Map.Entry<String, List<String>> p : cfg.params().entrySet()) {
      if (!p.getValue().isEmpty()) {
        setDefault(b, "__param_" + p.getKey(), p.getValue().get(0));
      }
    }
    Labels preRelabel = b.build();
    Labels relabeled = Relabeler.process(preRelabel, cfg.relabelConfigs());
    if (relabeled == null) {
      return new Result(preRelabel, null, null);
    }
    String address = relabeled.get("__address__");
    if (address == null) {
      return new Result(preRelabel, null, "no address");
    }
    if (address.contains("/")) {
      return new Result(preRelabel, null, "invalid address \"" + address + "\"");
    }
    Labels.Builder fin = Labels.builder();
    for (int i = 0; i < relabeled.size(); i++) {
      if (!relabeled.name(i).startsWith("__meta_")) {
        fin.set(relabeled.name(i), relabeled.value(i));
      }
    }
    if (fin.get("instance") == null) {
      fin.set("instance", address);
    }
    Labels all = fin.build();
    try {
      long interval = Durations.parseMillis(all.getOrEmpty("__scrape_interval__"));
      long timeout = Durations.parseMillis(all.getOrEmpty("__scrape_timeout__"));
      if (interval == 0 || timeout == 0 || timeout > interval) {
 return new Result(preRelabel, null, "invalid scrape interval/timeout " + all.get("__scrape_interval__") + "/" + all.get("__scrape_timeout__"));
      }
    } catch (IllegalArgumentException e) {
      return new Result(preRelabel, null, e.getMessage());
    }
    Labels.Builder pub = Labels.builder();
    for (int i = 0; i < all.size(); i++) {
      if (!all.name(i).startsWith("__")) {
        pub.set(all.name(i), all.value(i));
      }
    }
    return new Result(preRelabel, new Target(preRelabel, all, pub.build(), url(cfg, all)), null);
  }

  private static URI url(ScrapeConfig cfg, Labels all) {
    StringBuilder query = new StringBuilder();
    java.util.Set<String> done = new java.util.HashSet<>();
    for (Map.Entry<String, List<String>> p : cfg.params().entrySet()) {
      List<String> values = new ArrayList<>(p.getValue());
      String override = all.get("__param_" + p.getKey());
      if (override != null) {
        if (values.isEmpty()) {
          values.add(override);
        } else {
          values.set(0, override);
        }
      }
      for (String v : values) {
        appendParam(query, p.getKey(), v);
      }
      done.add(p.getKey());
    }
    for (int i = 0; i < all.size(); i++) {
      String n = all.name(i);
      if (n.startsWith("__param_") && !done.contains(n.substring(8))) {
        appendParam(query, n.substring(8), all.value(i));
      }
    }
    String path = all.getOrEmpty("__metrics_path__");
    String s = all.getOrEmpty("__scheme__") + "://" + all.get("__address__") + path + (query.length() == 0 ? "" : "?" + query);
    return URI.create(s);
  }

  private static void appendParam(StringBuilder q, String k, String v) {
    if (q.length() > 0) {
      q.append('&');
    }
    q.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
  }

  private static void setDefault(Labels.Builder b, String name, String value) {
    if (b.get(name) == null) {
      b.set(name, value);
    }
  }
}
