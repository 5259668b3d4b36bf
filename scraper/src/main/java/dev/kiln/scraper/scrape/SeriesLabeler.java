package dev.kiln.scraper.scrape;

import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.relabel.Relabeler;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the labels of an exposition line into the labels of the stored series: the target's
 * labels merged in ({@code honor_labels}, else conflicting scraped labels renamed
 * {@code exported_*}, shortest name first), then {@code metric_relabel_configs}. Immutable.
 */
final class SeriesLabeler {
  private final Labels targetLabels;
  private final ScrapeConfig cfg;

  SeriesLabeler(Labels targetLabels, ScrapeConfig cfg) {
    this.targetLabels = targetLabels;
    this.cfg = cfg;
  }

  /**
   * The final labels, or null when relabeling drops the series.
   *
   * @throws ScrapeFailure when the result has no metric name
   */
  Labels finalLabels(Labels scraped) {
    Labels relabeled = Relabeler.process(merge(scraped), cfg.metricRelabelConfigs());
    if (relabeled == null) {
      return null;
    }
    if (relabeled.get(Labels.METRIC_NAME) == null) {
      throw new ScrapeFailure("missing metric name (__name__ label)");
    }
    return relabeled;
  }

  /** The scraped labels with the target's merged in, before metric relabeling. */
  Labels merged(Labels scraped) {
    return merge(scraped);
  }

  private Labels merge(Labels scraped) {
    Labels t = targetLabels;
    Labels.Builder b = scraped.toBuilder();
    if (cfg.honorLabels()) {
      for (int i = 0; i < t.size(); i++) {
        if (scraped.get(t.name(i)) == null) {
          b.set(t.name(i), t.value(i));
        }
      }
      return b.build();
    }
    List<String> conflicts = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      if (scraped.get(t.name(i)) != null) {
        conflicts.add(t.name(i));
      }
    }
    conflicts.sort((a, c) -> a.length() != c.length() ? Integer.compare(a.length(), c.length()) : a.compareTo(c));
    for (String name : conflicts) {
      String value = b.get(name);
      String exported = "exported_" + name;
      while (b.get(exported) != null) {
        exported = "exported_" + exported;
      }
      b.set(exported, value);
    }
    for (int i = 0; i < t.size(); i++) {
      b.set(t.name(i), t.value(i));
    }
    return b.build();
  }
}
