package dev.kiln.server.api;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.server.exposition.proto.BucketSpan;
import dev.kiln.server.exposition.proto.LabelPair;
import dev.kiln.server.exposition.proto.Metric;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.MetricType;
import dev.kiln.server.exposition.proto.Untyped;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the samples {@link FederateApi} selected, in metric-name order, as Prometheus's
 * federation handler does. Every float is an untyped sample; a native histogram is sent as a
 * float histogram (count, sum, schema, zero bucket, spans and absolute bucket counts) in a family
 * of type {@code HISTOGRAM}, or {@code GAUGE_HISTOGRAM} when its counter-reset hint says gauge. A
 * new family starts whenever the name, the sample kind (float or histogram) or the histogram kind
 * changes, so one name can yield several families, which Prometheus's scraper accepts. Labels with
 * an empty value are left out; each series gets the external labels it lacks, in name order,
 * after its own. Text format has no native histograms: there they are skipped.
 */
final class FederationWriter {
  private FederationWriter() {}

  /** Text format 0.0.4. */
  static byte[] text(List<FederateApi.Latest> samples, TreeMap<String, String> external) {
    StringBuilder sb = new StringBuilder();
    String family = null;
    for (FederateApi.Latest s : samples) {
      if (s.histogram() != null) {
        continue;
      }
      String name = s.labels().metricName();
      if (name == null || name.isEmpty()) {
        continue;
      }
      if (!name.equals(family)) {
        sb.append("# TYPE ").append(name).append(" untyped\n");
        family = name;
      }
      sb.append(name).append('{');
      boolean first = true;
      for (String[] p : labelPairs(s.labels(), external)) {
        sb.append(first ? "" : ",").append(p[0]).append("=\"").append(escape(p[1])).append('"');
        first = false;
      }
      sb.append("} ").append(GoFloats.format(s.value(), Notation.G)).append(' ').append(s.t()).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Varint-length-delimited {@code io.prometheus.client.MetricFamily} messages. */
  static byte[] protobuf(List<FederateApi.Latest> samples, TreeMap<String, String> external) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MetricFamily.Builder family = null;
    String lastName = null;
    boolean lastHistogram = false;
    boolean lastGauge = false;
    try {
      for (FederateApi.Latest s : samples) {
        String name = s.labels().metricName();
        if (name == null || name.isEmpty()) {
          continue;
        }
        FloatHistogram h = s.histogram();
        boolean histogram = h != null;
        boolean gauge = histogram && h.counterResetHint == CounterResetHint.GAUGE;
        if (family == null || !name.equals(lastName) || histogram != lastHistogram || (histogram && gauge != lastGauge)) {
          if (family != null) {
            family.build().writeDelimitedTo(out);
          }
          family = MetricFamily.newBuilder().setName(name)
              .setType(!histogram ? MetricType.UNTYPED : gauge ? MetricType.GAUGE_HISTOGRAM : MetricType.HISTOGRAM);
          lastName = name;
        }
        Metric.Builder m = Metric.newBuilder();
        for (String[] p : labelPairs(s.labels(), external)) {
          m.addLabel(LabelPair.newBuilder().setName(p[0]).setValue(p[1]));
        }
        m.setTimestampMs(s.t());
        if (histogram) {
          m.setHistogram(histogram(h));
        } else {
          m.setUntyped(Untyped.newBuilder().setValue(s.value()));
        }
        family.addMetric(m);
        lastHistogram = histogram;
        lastGauge = gauge;
      }
      if (family != null) {
        family.build().writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static dev.kiln.server.exposition.proto.Histogram histogram(FloatHistogram h) {
    var b = dev.kiln.server.exposition.proto.Histogram.newBuilder()
        .setSampleCountFloat(h.count)
        .setSampleSum(h.sum)
        .setSchema(h.schema)
        .setZeroThreshold(h.zeroThreshold)
        .setZeroCountFloat(h.zeroCount);
    for (Span sp : h.negativeSpans) {
      b.addNegativeSpan(BucketSpan.newBuilder().setOffset(sp.offset()).setLength(sp.length()));
    }
    for (double c : h.negativeBuckets) {
      b.addNegativeCount(c);
    }
    for (Span sp : h.positiveSpans) {
      b.addPositiveSpan(BucketSpan.newBuilder().setOffset(sp.offset()).setLength(sp.length()));
    }
    for (double c : h.positiveBuckets) {
      b.addPositiveCount(c);
    }
    return b.build();
  }

  /** The series' non-empty labels other than the name, then the external labels it lacks. */
  private static List<String[]> labelPairs(Labels labels, TreeMap<String, String> external) {
    List<String[]> out = new java.util.ArrayList<>(labels.size() + external.size());
    Set<String> used = new TreeSet<>();
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.name(i);
      String v = labels.value(i);
      if (v.isEmpty() || n.equals(Labels.METRIC_NAME)) {
        continue;
      }
      out.add(new String[] {n, v});
      used.add(n);
    }
    for (Map.Entry<String, String> e : external.entrySet()) {
      if (!used.contains(e.getKey())) {
        out.add(new String[] {e.getKey(), e.getValue()});
      }
    }
    return out;
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
