package dev.kiln.server.push;

import dev.kiln.server.exposition.proto.Gauge;
import dev.kiln.server.exposition.proto.LabelPair;
import dev.kiln.server.exposition.proto.Metric;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.MetricType;
import dev.kiln.tsdb.model.Utf8Order;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The push store's families as the Pushgateway gathers them for {@code /metrics}: one family per
 * name across all groups (type and help of the first group holding it), each group's
 * {@code push_time_seconds} and {@code push_failure_time_seconds} gauges included, families sorted
 * by name and metrics as client_golang sorts them (fewer labels first, then label value by label
 * value). That order decides which of two series that differ only in empty labels a scrape keeps.
 */
final class GatheredFamilies {
  /** client_golang's {@code metricSorter}. */
  static final Comparator<Metric> METRIC_ORDER = (a, b) -> {
    if (a.getLabelCount() != b.getLabelCount()) {
      return Integer.compare(a.getLabelCount(), b.getLabelCount());
    }
    for (int i = 0; i < a.getLabelCount(); i++) {
      int c = Utf8Order.compare(a.getLabel(i).getValue(), b.getLabel(i).getValue());
      if (c != 0) {
        return c;
      }
    }
    return 0;
  };

  private GatheredFamilies() {}

  static List<MetricFamily> of(Collection<PushedGroup> groups) {
    Map<String, MetricFamily.Builder> byName = new TreeMap<>(Utf8Order.COMPARATOR);
    for (PushedGroup g : groups) {
      g.families().forEach((name, f) -> add(byName, MetricFamilyCodec.decode(name, f)));
      add(byName, pushTime("push_time_seconds", PushedMetricsJson.PUSH_TIME_HELP, g.key(), g.pushTime()));
      add(byName, pushTime("push_failure_time_seconds", PushedMetricsJson.PUSH_FAILURE_TIME_HELP, g.key(), g.failureTime()));
    }
    List<MetricFamily> out = new ArrayList<>();
    for (MetricFamily.Builder b : byName.values()) {
      List<Metric> metrics = new ArrayList<>(b.getMetricList());
      metrics.sort(METRIC_ORDER);
      out.add(b.clearMetric().addAllMetric(metrics).build());
    }
    return out;
  }

  private static void add(Map<String, MetricFamily.Builder> byName, MetricFamily f) {
    MetricFamily.Builder b = byName.get(f.getName());
    if (b == null) {
      byName.put(f.getName(), f.toBuilder());
    } else {
      b.addAllMetric(f.getMetricList());
    }
  }

  /** A group's push time gauge: its grouping labels, {@code instance=""} where the key has none. */
  private static MetricFamily pushTime(String name, String help, GroupingKey key, double seconds) {
    Map<String, String> labels = new TreeMap<>(key.asMap());
    labels.putIfAbsent("instance", "");
    Metric.Builder m = Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(seconds));
    labels.forEach((n, v) -> m.addLabel(LabelPair.newBuilder().setName(n).setValue(v)));
    return MetricFamily.newBuilder().setName(name).setHelp(help).setType(MetricType.GAUGE).addMetric(m).build();
  }
}
