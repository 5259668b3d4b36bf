package dev.kiln.promql.engine;

import dev.kiln.tsdb.model.Labels;
import java.util.List;

/**
 * The labels that describe what a metric is rather than which series it is: its name and, with
 * Prometheus's type-and-unit labels, {@code __type__} and {@code __unit__}. Operations that change
 * a value's meaning drop all of them together.
 */
final class MetricNames {
  static final List<String> METADATA_LABELS = List.of(Labels.METRIC_NAME, "__type__", "__unit__");

  private MetricNames() {}

  static Labels dropMetadata(Labels l) {
    if (!l.has(Labels.METRIC_NAME) && !l.has("__type__") && !l.has("__unit__")) {
      return l;
    }
    return l.without(METADATA_LABELS);
  }
}
