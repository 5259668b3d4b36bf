package dev.kiln.server.push;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.util.List;
import java.util.Map;

/**
 * One push group: its grouping key, its metric families and its push times (Unix seconds,
 * 0 when never). Immutable; a push replaces the whole object.
 */
public record PushedGroup(Labels key, Map<String, Family> families, double pushTime, double failureTime) {
  /** A metric family of a group. */
  public record Family(MetricType type, String help, List<PushedSample> samples) {}

  /** One pushed sample (labels include {@code __name__}). */
  public record PushedSample(Labels labels, double value) {}
}
