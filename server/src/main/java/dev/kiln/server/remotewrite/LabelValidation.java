package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import java.util.Arrays;

/** Validates a series' labels from the wire: non-empty names and values, unique names, a metric name. */
final class LabelValidation {
  private LabelValidation() {}

  /**
   * @param pairs alternating names and values as sent
   * @param legacyNames true to require Prometheus's legacy name syntax (1.0 MUST)
   */
  static Labels validate(String[] pairs, boolean legacyNames) throws InvalidWriteException {
    int n = pairs.length / 2;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> pairs[2 * a].compareTo(pairs[2 * b]));
    String[] sorted = new String[pairs.length];
    boolean hasName = false;
    for (int k = 0; k < n; k++) {
      String name = pairs[2 * order[k]];
      String value = pairs[2 * order[k] + 1];
      if (name.isEmpty()) {
        throw new InvalidWriteException("invalid labels: empty label name");
      }
      if (value.isEmpty()) {
        throw new InvalidWriteException("invalid labels: empty value for label " + name);
      }
      if (k > 0 && sorted[2 * (k - 1)].equals(name)) {
        throw new InvalidWriteException("invalid labels: duplicate label name " + name);
      }
      if (legacyNames) {
        boolean ok = name.equals(Labels.METRIC_NAME)
            ? value.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")
            : name.matches("[a-zA-Z_][a-zA-Z0-9_]*");
        if (!ok) {
          throw new InvalidWriteException("invalid labels: invalid " + (name.equals(Labels.METRIC_NAME) ? "metric name " + value : "label name " + name));
        }
      }
      hasName |= name.equals(Labels.METRIC_NAME);
      sorted[2 * k] = name;
      sorted[2 * k + 1] = value;
    }
    if (!hasName) {
      throw new InvalidWriteException("invalid labels: missing metric name (__name__ label)");
    }
    return Labels.ofSortedUnchecked(sorted);
  }
}
