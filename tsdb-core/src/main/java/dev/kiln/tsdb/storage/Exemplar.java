package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.model.Labels;

/**
 * An exemplar: a sample's example observation with its own labels (a trace id, say), value and
 * time, as Prometheus's {@code model/exemplar.Exemplar}. Immutable.
 *
 * @param labels the exemplar's labels (may be empty)
 * @param value the observed value
 * @param timestampMillis the exemplar's time in milliseconds since the epoch
 * @param hasTimestamp whether the exposition gave the time (else it is the sample's)
 */
public record Exemplar(Labels labels, double value, long timestampMillis, boolean hasTimestamp) {
  /** Prometheus's {@code ExemplarMaxLabelSetLength}: runes of all names and values together. */
  public static final int MAX_LABEL_SET_RUNES = 128;

  public Exemplar {
    labels = labels == null ? Labels.EMPTY : labels;
  }

  /** An exemplar with an explicit timestamp. */
  public static Exemplar of(Labels labels, double value, long timestampMillis) {
    return new Exemplar(labels, value, timestampMillis, true);
  }

  /** This exemplar at {@code t}, marked as timestamped. */
  public Exemplar at(long t) {
    return new Exemplar(labels, value, t, true);
  }

  /**
   * Prometheus's {@code Exemplar.Equals}: same labels and value, and the same timestamp when
   * either has one ({@code ==} on the value, so a NaN exemplar equals nothing).
   */
  public boolean sameAs(Exemplar o) {
    if (!labels.equals(o.labels)) {
      return false;
    }
    if ((hasTimestamp || o.hasTimestamp) && timestampMillis != o.timestampMillis) {
      return false;
    }
    return value == o.value;
  }

  /** Prometheus's {@code exemplar.Compare}: by timestamp, then value, then labels. */
  public static int compare(Exemplar a, Exemplar b) {
    int c = Long.compare(a.timestampMillis, b.timestampMillis);
    if (c != 0) {
      return c;
    }
    if (a.value < b.value) {
      return -1;
    }
    if (a.value > b.value) {
      return 1;
    }
    return a.labels.compareTo(b.labels);
  }

  /** The labels without those of empty value, as Prometheus's head stores them. */
  public Exemplar withoutEmptyLabels() {
    boolean empty = false;
    for (int i = 0; i < labels.size(); i++) {
      if (labels.value(i).isEmpty()) {
        empty = true;
        break;
      }
    }
    if (!empty) {
      return this;
    }
    Labels.Builder b = Labels.builder();
    for (int i = 0; i < labels.size(); i++) {
      if (!labels.value(i).isEmpty()) {
        b.set(labels.name(i), labels.value(i));
      }
    }
    return new Exemplar(b.build(), value, timestampMillis, hasTimestamp);
  }
}
