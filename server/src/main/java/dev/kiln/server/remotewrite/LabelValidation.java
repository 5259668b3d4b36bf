package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import java.util.Arrays;

/**
 * Validates a series' labels from the wire as Prometheus 3.x's receiver does
 * ({@code storage/remote/write_handler.go}: {@code ls.Has(MetricName)}, {@code
 * ls.IsValid(model.UTF8Validation)}, {@code ls.HasDuplicateLabelNames()}): a metric name, no empty
 * label name, no name twice; names may be any UTF-8 (the decoder already requires valid UTF-8).
 * Labels are sorted by name, as Prometheus's {@code labelProtosToLabels} sorts them. A label with
 * an empty value is the same as an absent one in Prometheus's data model, so it is then dropped,
 * as Prometheus's head does ({@code lset.WithoutEmpty()}); cAdvisor's {@code container=""} and
 * {@code image=""} arrive that way.
 */
final class LabelValidation {
  private LabelValidation() {}

  /** @param pairs alternating names and values as sent */
  static Labels validate(String[] pairs) throws InvalidLabelsException {
    int n = pairs.length / 2;
    String[] sorted = pairs;
    for (int k = 1; k < n; k++) {
      if (pairs[2 * k - 2].compareTo(pairs[2 * k]) > 0) {
        sorted = sortByName(pairs);
        break;
      }
    }
    boolean hasName = false;
    int empty = 0;
    for (int k = 0; k < n; k++) {
      String name = sorted[2 * k];
      String value = sorted[2 * k + 1];
      if (name.isEmpty()) {
        throw new InvalidLabelsException("invalid metric name or labels: empty label name");
      }
      if (k > 0 && sorted[2 * (k - 1)].equals(name)) {
        throw new InvalidLabelsException("invalid labels for series: duplicated label " + name);
      }
      if (name.equals(Labels.METRIC_NAME)) {
        if (value.isEmpty()) {
          throw new InvalidLabelsException("invalid metric name or labels: empty metric name");
        }
        hasName = true;
      }
      if (value.isEmpty()) {
        empty++;
      }
    }
    if (!hasName) {
      throw new InvalidLabelsException("invalid metric name or labels: missing metric name (__name__ label)");
    }
    String[] out = sorted == pairs ? pairs.clone() : sorted;
    return Labels.ofSortedUnchecked(empty == 0 ? out : withoutEmptyValues(out, empty));
  }

  private static String[] withoutEmptyValues(String[] pairs, int empty) {
    String[] out = new String[pairs.length - 2 * empty];
    int j = 0;
    for (int i = 0; i < pairs.length; i += 2) {
      if (!pairs[i + 1].isEmpty()) {
        out[j++] = pairs[i];
        out[j++] = pairs[i + 1];
      }
    }
    return out;
  }

  private static String[] sortByName(String[] pairs) {
    int n = pairs.length / 2;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> pairs[2 * a].compareTo(pairs[2 * b]));
    String[] out = new String[pairs.length];
    for (int k = 0; k < n; k++) {
      out[2 * k] = pairs[2 * order[k]];
      out[2 * k + 1] = pairs[2 * order[k] + 1];
    }
    return out;
  }
}
