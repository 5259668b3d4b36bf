package dev.kiln.server.push;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.util.List;
import java.util.Map;

/**
 * One push group: its grouping key, its metric families and its times in Unix nanoseconds: the
 * last successful push, the last failed push (0 when never) and the group's first change.
 * Immutable; a push replaces the whole object.
 */
public record PushedGroup(GroupingKey key, Map<String, Family> families, long pushNanos, long failureNanos, long createdNanos) {
  /** The last successful push in Unix seconds (0 when never), as the Pushgateway computes it. */
  public double pushTime() {
    return pushNanos / 1e9;
  }

  /** The last failed push in Unix seconds (0 when never). */
  public double failureTime() {
    return failureNanos / 1e9;
  }

  /** Whether the last push succeeded, as the Pushgateway decides it (success strictly later). */
  public boolean lastPushSuccessful() {
    return pushNanos > failureNanos;
  }

  /**
   * A metric family of a group. {@code protobuf} is the family's MetricFamily messages as pushed
   * in the delimited protobuf format (length-delimited), grouping labels set (null for a family pushed as text); its float
   * series are also in {@code samples}, its native histograms only in the message. {@code pushedNanos}
   * is the time of the push that set the family (0 before it is stored).
   */
  public record Family(MetricType type, String help, List<PushedSample> samples, byte[] protobuf, long pushedNanos) {
    /** A family pushed as text. */
    public Family(MetricType type, String help, List<PushedSample> samples) {
      this(type, help, samples, null, 0);
    }

    /** A family pushed in the protobuf format. */
    public Family(MetricType type, String help, List<PushedSample> samples, byte[] protobuf) {
      this(type, help, samples, protobuf, 0);
    }

    /** This family as set by a push at {@code nanos}. */
    public Family at(long nanos) {
      return new Family(type, help, samples, protobuf, nanos);
    }
  }

  /**
   * One pushed sample. {@code labels} include {@code __name__} and hold no empty values;
   * {@code emptyLabels} are the sorted names the sample carries with an empty value (written so in
   * the body, or set so by an empty grouping label), which the exposition and the listing show as
   * the Pushgateway does and which a scrape reads as no label.
   */
  public record PushedSample(Labels labels, double value, List<String> emptyLabels) {
    public PushedSample(Labels labels, double value) {
      this(labels, value, List.of());
    }

    /**
     * The labels as the Pushgateway exposes them, sorted by name, without {@code __name__}: the
     * empty ones included and {@code instance=""} where the sample has no instance.
     */
    public java.util.SortedMap<String, String> exposedLabels() {
      java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
      labels.forEach((n, v) -> {
        if (!n.equals(Labels.METRIC_NAME)) {
          out.put(n, v);
        }
      });
      emptyLabels.forEach(n -> out.put(n, ""));
      out.putIfAbsent("instance", "");
      return out;
    }
  }
}
