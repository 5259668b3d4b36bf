package dev.kiln.server.api;

import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.scraper.parse.ExpositionSink;
import dev.kiln.scraper.parse.ParsedSeries;
import dev.kiln.server.exposition.proto.Counter;
import dev.kiln.server.exposition.proto.Gauge;
import dev.kiln.server.exposition.proto.LabelPair;
import dev.kiln.server.exposition.proto.Metric;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.MetricType;
import dev.kiln.server.exposition.proto.Untyped;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns metric families Kiln renders in text format (counters, gauges, untyped) into delimited
 * {@code io.prometheus.client.MetricFamily} messages, for {@code /metrics} in protobuf. A family
 * keeps its name, help and type; samples of other types (a text summary's or classic histogram's
 * series) become untyped families named after the sample. Stateless.
 */
final class TextFamilies {
  private TextFamilies() {}

  static void writeProtobuf(String text, OutputStream out) throws IOException {
    Map<String, MetricFamily.Builder> families = new LinkedHashMap<>();
    Map<String, dev.kiln.tsdb.storage.MetricType> types = new HashMap<>();
    Map<String, String> helps = new HashMap<>();
    ExpositionParser.parse(text, ExpositionParser.Format.PROMETHEUS_TEXT, new ExpositionSink() {
      @Override
      public void metadata(String family, dev.kiln.tsdb.storage.MetricType type, String help, String unit) {
        if (type != null) {
          types.put(family, type);
        }
        if (help != null) {
          helps.put(family, help);
        }
      }

      @Override
      public void sample(String raw, ParsedSeries s, double value, long ts) {
        String name = s.metricName();
        dev.kiln.tsdb.storage.MetricType t = types.getOrDefault(name, dev.kiln.tsdb.storage.MetricType.UNKNOWN);
        MetricType type = switch (t) {
          case COUNTER -> MetricType.COUNTER;
          case GAUGE -> MetricType.GAUGE;
          default -> MetricType.UNTYPED;
        };
        MetricFamily.Builder f = families.computeIfAbsent(name, n -> {
          MetricFamily.Builder b = MetricFamily.newBuilder().setName(n).setType(type);
          String help = helps.get(n);
          if (help != null && !help.isEmpty()) {
            b.setHelp(help);
          }
          return b;
        });
        Metric.Builder m = Metric.newBuilder();
        Labels l = s.labels();
        for (int i = 0; i < l.size(); i++) {
          if (!l.name(i).equals(Labels.METRIC_NAME)) {
            m.addLabel(LabelPair.newBuilder().setName(l.name(i)).setValue(l.value(i)));
          }
        }
        switch (type) {
          case COUNTER -> m.setCounter(Counter.newBuilder().setValue(value));
          case GAUGE -> m.setGauge(Gauge.newBuilder().setValue(value));
          default -> m.setUntyped(Untyped.newBuilder().setValue(value));
        }
        if (ts != NO_TIMESTAMP) {
          m.setTimestampMs(ts);
        }
        f.addMetric(m);
      }
    });
    for (MetricFamily.Builder f : families.values()) {
      f.build().writeDelimitedTo(out);
    }
  }
}
