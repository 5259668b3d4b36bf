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
import dev.kiln.tsdb.model.Labels;
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
   * {@code family} with the labels of {@code key} set on each of its metrics, and an empty
   * {@code instance} label on metrics that have none.
   */
  static byte[] withLabels(byte[] family, Labels key) {
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

  private static Metric metricWithLabels(Metric metric, Labels key) {
    Metric.Builder m = metric.toBuilder().clearLabel();
    key.forEach((n, v) -> m.addLabel(labelPair(n, v)));
    boolean instance = key.has("instance");
    for (LabelPair l : metric.getLabelList()) {
      if (!key.has(l.getName())) {
        m.addLabel(l);
        instance |= l.getName().equals("instance");
      }
    }
    if (!instance) {
      // As the Pushgateway: an empty instance label keeps the ingesting job's instance off the series.
      m.addLabel(labelPair("instance", ""));
    }
    return m.build();
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
        Metric.Builder m = withLabels(Metric.newBuilder(), s.labels());
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

    Metric metric(Labels labels, boolean histogram) {
      Metric.Builder m = withLabels(Metric.newBuilder(), labels);
      if (histogram) {
        Histogram.Builder h = Histogram.newBuilder().setSampleSum(sum).setSampleCountFloat(count);
        points.forEach((bound, c) -> h.addBucket(Bucket.newBuilder().setUpperBound(bound).setCumulativeCountFloat(c)));
        m.setHistogram(h);
      } else {
        Summary.Builder s = Summary.newBuilder().setSampleCount((long) count).setSampleSum(sum);
        points.forEach((q, v) -> s.addQuantile(Quantile.newBuilder().setQuantile(q).setValue(v)));
        m.setSummary(s);
      }
      return m.build();
    }
  }

  private static Map<Labels, Complex> group(String name, MetricType type, List<PushedGroup.PushedSample> samples) {
    Map<Labels, Complex> out = new LinkedHashMap<>();
    String pointLabel = type == MetricType.HISTOGRAM ? "le" : "quantile";
    for (PushedGroup.PushedSample s : samples) {
      String n = s.labels().metricName();
      Labels.Builder b = s.labels().toBuilder();
      b.set("__name__", name);
      if (n.equals(name + "_sum")) {
        out.computeIfAbsent(b.build(), k -> new Complex()).sum = s.value();
      } else if (n.equals(name + "_count")) {
        out.computeIfAbsent(b.build(), k -> new Complex()).count = s.value();
      } else if ((type == MetricType.HISTOGRAM ? n.equals(name + "_bucket") : n.equals(name)) && s.labels().has(pointLabel)) {
        double point = dev.kiln.tsdb.model.GoFloats.parse(s.labels().get(pointLabel));
        b.delete(pointLabel);
        out.computeIfAbsent(b.build(), k -> new Complex()).points.put(point, s.value());
      }
    }
    return out;
  }

  /** A gauge family with one metric per {@code (labels, value)}. */
  static byte[] gauge(String name, Map<Labels, Double> values) {
    List<PushedGroup.PushedSample> samples = new ArrayList<>();
    values.forEach((l, v) -> samples.add(new PushedGroup.PushedSample(l, v)));
    return encode(name, MetricType.GAUGE, "", samples);
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

  /** {@code m} with the labels of {@code labels} but the metric name. */
  private static Metric.Builder withLabels(Metric.Builder m, Labels labels) {
    labels.forEach((n, v) -> {
      if (!n.equals("__name__")) {
        m.addLabel(labelPair(n, v));
      }
    });
    return m;
  }

  private static LabelPair labelPair(String name, String value) {
    return LabelPair.newBuilder().setName(name).setValue(value).build();
  }
}
