package dev.kiln.server.remotewrite;

import dev.kiln.tsdb.model.Labels;
import java.util.Arrays;

/**
 * Validates a series' labels from the wire: non-empty names, unique names, a metric name. A label
 * with an empty value is the same as an absent one in Prometheus's data model, so it is dropped
 * before the checks, as Prometheus's head does ({@code lset.WithoutEmpty()} before the series is
 * looked up); cAdvisor's {@code container=""} and {@code image=""} arrive that way.
 */
final class LabelValidation {
  private LabelValidation() {}

  /**
   * @param pairs alternating names and values as sent
   * @param legacyNames true to require Prometheus's legacy name syntax (1.0 MUST)
   */
  static Labels validate(String[] pairs, boolean legacyNames) throws InvalidWriteException {
    int n = pairs.length / 2;
    String[] sorted = pairs;
    for (int k = 1; k < n; k++) {
      if (pairs[2 * k - 2].compareTo(pairs[2 * k]) > 0) {
        sorted = sortByName(pairs);
        break;
      }
    }
    boolean hasName = false;
    String[] kept = null;
    int keptCount = 0;
    String previousName = null;
    for (int k = 0; k < n; k++) {
      String name = sorted[2 * k];
      String value = sorted[2 * k + 1];
      if (value.isEmpty()) {
        if (kept == null) {
          kept = Arrays.copyOf(sorted, 2 * k);
          keptCount = k;
        }
        continue;
      }
      if (name.isEmpty()) {
        throw new InvalidWriteException("invalid labels: empty label name");
      }
      if (name.equals(previousName)) {
        throw new InvalidWriteException("invalid labels: duplicate label name " + name);
      }
      previousName = name;
      boolean isMetricName = name.equals(Labels.METRIC_NAME);
      if (legacyNames && !(isMetricName ? legacyName(value, true) : legacyName(name, false))) {
        throw new InvalidWriteException("invalid labels: invalid " + (isMetricName ? "metric name " + value : "label name " + name));
      }
      hasName |= isMetricName;
      if (kept != null) {
        kept = ensureRoom(kept, keptCount);
        kept[2 * keptCount] = name;
        kept[2 * keptCount + 1] = value;
        keptCount++;
      }
    }
    if (!hasName) {
      throw new InvalidWriteException("invalid labels: missing metric name (__name__ label)");
    }
    if (kept != null) {
      return Labels.ofSortedUnchecked(Arrays.copyOf(kept, 2 * keptCount));
    }
    return Labels.ofSortedUnchecked(sorted == pairs ? pairs.clone() : sorted);
  }

  private static String[] ensureRoom(String[] kept, int keptCount) {
    return kept.length >= 2 * keptCount + 2 ? kept : Arrays.copyOf(kept, Math.max(2 * keptCount + 2, kept.length * 2));
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

  /** Prometheus's legacy syntax: metric names allow ':', label names do not. */
  private static boolean legacyName(String s, boolean metric) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
