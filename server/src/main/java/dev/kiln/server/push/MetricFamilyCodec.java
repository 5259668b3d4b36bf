package dev.kiln.server.push;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.scraper.parse.ExpositionException;
import dev.kiln.server.exposition.proto.Bucket;
import dev.kiln.server.exposition.proto.Counter;
import dev.kiln.server.exposition.proto.Gauge;
import dev.kiln.server.exposition.proto.Histogram;
import dev.kiln.server.exposition.proto.LabelPair;
import dev.kiln.server.exposition.proto.Metric;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.Quantile;
import dev.kiln.server.exposition.proto.Summary;
import dev.kiln.server.exposition.proto.Untyped;
import dev.kiln.tsdb.storage.MetricType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The push API's protobuf handling on the exposition's generated {@code MetricFamily} classes:
 * splitting a delimited body, setting a group's labels on a family, and writing text-pushed
 * families in the same form.
 */
final class MetricFamilyCodec {
  private MetricFamilyCodec() {}

  /** The MetricFamily messages of a varint-length-delimited body. */
  static List<byte[]> split(byte[] body) {
    List<byte[]> out = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(body);
    try {
      while (!in.isAtEnd()) {
        int len = in.readRawVarint32();
        if (len < 0 || len > body.length - in.getTotalBytesRead()) {
          throw new ExpositionException("protobuf message length " + Integer.toUnsignedLong(len) + " exceeds the body");
        }
        out.add(in.readRawBytes(len));
      }
    } catch (IOException e) {
      throw new ExpositionException("protobuf message length: " + e.getMessage());
    }
    return out;
  }

  /**
   * {@code family} with the labels of {@code key} set on each of its metrics (empty values
   * included), an empty {@code instance} label on metrics that have none, and each metric's labels
   * sorted by name, as the Pushgateway's {@code sanitizeLabels}.
   */
  static byte[] withLabels(byte[] family, GroupingKey key) {
    MetricFamily parsed;
    try {
      parsed = MetricFamily.parseFrom(family);
    } catch (InvalidProtocolBufferException e) {
      throw new ExpositionException(e.getMessage());
    }
    MetricFamily.Builder b = parsed.toBuilder();
    for (int i = 0; i < b.getMetricCount(); i++) {
      b.setMetric(i, metricWithLabels(b.getMetric(i), key));
    }
    return b.build().toByteArray();
  }

  private static Metric metricWithLabels(Metric metric, GroupingKey key) {
    Map<String, LabelPair> labels = new TreeMap<>();
    for (LabelPair l : metric.getLabelList()) {
      labels.put(l.getName(), l);
    }
    key.forEach((n, v) -> labels.put(n, labelPair(n, v)));
    // As the Pushgateway: an empty instance label keeps the ingesting job's instance off the series.
    labels.putIfAbsent("instance", labelPair("instance", ""));
    return metric.toBuilder().clearLabel().addAllLabel(labels.values()).build();
  }

  /** A stored family as one MetricFamily message: the pushed messages merged, or a text family encoded. */
  static MetricFamily decode(String name, PushedGroup.Family f) {
    try {
      if (f.protobuf() == null) {
        return MetricFamily.parseFrom(encode(name, f.type(), f.help(), f.samples()));
      }
      MetricFamily.Builder merged = null;
      for (byte[] msg : split(f.protobuf())) {
        MetricFamily one = MetricFamily.parseFrom(msg);
        if (merged == null) {
          merged = one.toBuilder();
        } else {
          merged.addAllMetric(one.getMetricList());
        }
      }
      return merged == null ? MetricFamily.newBuilder().setName(name).build() : merged.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A text-pushed family as a MetricFamily message. Histogram and summary families become one
   * metric per series of their {@code _bucket}/{@code quantile}, {@code _sum} and {@code _count}
   * samples; samples that do not fit that shape are left out.
   */
  static byte[] encode(String name, MetricType type, String help, List<PushedGroup.PushedSample> samples) {
    MetricFamily.Builder f = MetricFamily.newBuilder().setName(name);
    if (!help.isEmpty()) {
      f.setHelp(help);
    }
    f.setType(switch (type) {
      case COUNTER -> dev.kiln.server.exposition.proto.MetricType.COUNTER;
      case GAUGE -> dev.kiln.server.exposition.proto.MetricType.GAUGE;
      case SUMMARY -> dev.kiln.server.exposition.proto.MetricType.SUMMARY;
      case HISTOGRAM -> dev.kiln.server.exposition.proto.MetricType.HISTOGRAM;
      default -> dev.kiln.server.exposition.proto.MetricType.UNTYPED;
    });
    if (type == MetricType.HISTOGRAM || type == MetricType.SUMMARY) {
      group(name, type, samples).forEach((labels, c) -> f.addMetric(c.metric(labels, type == MetricType.HISTOGRAM)));
    } else {
      for (PushedGroup.PushedSample s : samples) {
        Metric.Builder m = withLabels(Metric.newBuilder(), s.exposedLabels());
        switch (type) {
          case COUNTER -> m.setCounter(Counter.newBuilder().setValue(s.value()));
          case GAUGE -> m.setGauge(Gauge.newBuilder().setValue(s.value()));
          default -> m.setUntyped(Untyped.newBuilder().setValue(s.value()));
        }
        f.addMetric(m);
      }
    }
    return f.build().toByteArray();
  }

  /** The sum, count and buckets (or quantiles) of one histogram or summary series. */
  private static final class Complex {
    double sum;
    double count;
    final Map<Double, Double> points = new TreeMap<>();

    Metric metric(Map<String, String> labels, boolean histogram) {
      Metric.Builder m = withLabels(Metric.newBuilder(), labels);
      if (histogram) {
        // The Pushgateway's text parser keeps counts as unsigned integers.
        Histogram.Builder h = Histogram.newBuilder().setSampleSum(sum).setSampleCount((long) count);
        points.forEach((bound, c) -> h.addBucket(Bucket.newBuilder().setUpperBound(bound).setCumulativeCount((long) (double) c)));
        m.setHistogram(h);
      } else {
        Summary.Builder s = Summary.newBuilder().setSampleCount((long) count).setSampleSum(sum);
        points.forEach((q, v) -> s.addQuantile(Quantile.newBuilder().setQuantile(q).setValue(v)));
        m.setSummary(s);
      }
      return m.build();
    }
  }

  /** The samples of a histogram or summary family by series (exposed labels without le or quantile). */
  private static Map<Map<String, String>, Complex> group(String name, MetricType type, List<PushedGroup.PushedSample> samples) {
    Map<Map<String, String>, Complex> out = new LinkedHashMap<>();
    String pointLabel = type == MetricType.HISTOGRAM ? "le" : "quantile";
    for (PushedGroup.PushedSample s : samples) {
      String n = s.labels().metricName();
      Map<String, String> series = s.exposedLabels();
      series.remove(pointLabel);
      if (n.equals(name + "_sum")) {
        out.computeIfAbsent(series, k -> new Complex()).sum = s.value();
      } else if (n.equals(name + "_count")) {
        out.computeIfAbsent(series, k -> new Complex()).count = s.value();
      } else if ((type == MetricType.HISTOGRAM ? n.equals(name + "_bucket") : n.equals(name)) && s.labels().has(pointLabel)) {
        double point = dev.kiln.tsdb.model.GoFloats.parse(s.labels().get(pointLabel));
        out.computeIfAbsent(series, k -> new Complex()).points.put(point, s.value());
      }
    }
    return out;
  }

  /** Appends {@code msg} with its varint length prefix. */
  static void delimit(ByteArrayOutputStream out, byte[] msg) {
    int v = msg.length;
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
    out.write(msg, 0, msg.length);
  }

  /** {@code m} with {@code labels} (sorted by name, no metric name). */
  private static Metric.Builder withLabels(Metric.Builder m, Map<String, String> labels) {
    labels.forEach((n, v) -> m.addLabel(labelPair(n, v)));
    return m;
  }

  static LabelPair labelPair(String name, String value) {
    return LabelPair.newBuilder().setName(name).setValue(value).build();
  }
}
