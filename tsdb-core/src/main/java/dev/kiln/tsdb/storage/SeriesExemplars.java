package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.model.Labels;
import java.util.List;

/** The exemplars of one series in a time range, oldest first (Prometheus's {@code exemplar.QueryResult}). */
public record SeriesExemplars(Labels seriesLabels, List<Exemplar> exemplars) {
  public SeriesExemplars {
    exemplars = List.copyOf(exemplars);
  }
}
