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
  /**
   * A metric family of a group. {@code protobuf} is the family's MetricFamily messages as pushed
   * in the delimited protobuf format (length-delimited), grouping labels set (null for a family pushed as text); its float
   * series are also in {@code samples}, its native histograms only in the message.
   */
  public record Family(MetricType type, String help, List<PushedSample> samples, byte[] protobuf) {
    /** A family pushed as text. */
    public Family(MetricType type, String help, List<PushedSample> samples) {
      this(type, help, samples, null);
    }
  }

  /** One pushed sample (labels include {@code __name__}). */
  public record PushedSample(Labels labels, double value) {}
}
