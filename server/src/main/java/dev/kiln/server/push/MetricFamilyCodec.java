package dev.kiln.server.push;

import dev.kiln.scraper.parse.ExpositionException;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes {@code io.prometheus.client.MetricFamily} protobuf messages for the push store:
 * splits a delimited body into its messages, sets a group's grouping labels on every metric of a
 * message (as the Pushgateway does, overriding labels of the same name), and encodes text-pushed
 * families and the push-time gauges as messages. Every other field is copied byte for byte.
 */
final class MetricFamilyCodec {
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LEN = 2;
  private static final int FIXED32 = 5;

  private MetricFamilyCodec() {}

  /** The MetricFamily messages of a varint-length-delimited body. */
  static List<byte[]> split(byte[] body) {
    List<byte[]> out = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < body.length) {
      long len = varint(body, pos);
      if (len < 0 || len > body.length - pos[0]) {
        throw new ExpositionException("protobuf message length " + len + " exceeds the body");
      }
      byte[] msg = new byte[(int) len];
      System.arraycopy(body, pos[0], msg, 0, (int) len);
      pos[0] += (int) len;
      out.add(msg);
    }
    return out;
  }

  /** The family name of a MetricFamily message ("" when absent). */
  static String name(byte[] family) {
    int[] pos = {0};
    String name = "";
    while (pos[0] < family.length) {
      long tag = varint(family, pos);
      int start = pos[0];
      skip(family, pos, (int) (tag & 7));
      if (tag >>> 3 == 1 && (tag & 7) == LEN) {
        int[] p = {start};
        int len = (int) varint(family, p);
        name = new String(family, p[0], len, StandardCharsets.UTF_8);
      }
    }
    return name;
  }

  /**
   * {@code family} with the labels of {@code key} set on each of its metrics, and an empty
   * {@code instance} label on metrics that have none.
   */
  static byte[] withLabels(byte[] family, Labels key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(family.length + 64);
    int[] pos = {0};
    while (pos[0] < family.length) {
      int fieldStart = pos[0];
      long tag = varint(family, pos);
      int valueStart = pos[0];
      skip(family, pos, (int) (tag & 7));
      if (tag >>> 3 == 4 && (tag & 7) == LEN) {
        int[] p = {valueStart};
        int len = (int) varint(family, p);
        byte[] metric = new byte[len];
        System.arraycopy(family, p[0], metric, 0, len);
        writeMessage(out, 4, metricWithLabels(metric, key));
      } else {
        out.write(family, fieldStart, pos[0] - fieldStart);
      }
    }
    return out.toByteArray();
  }

  private static byte[] metricWithLabels(byte[] metric, Labels key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(metric.length + 64);
    key.forEach((n, v) -> writeMessage(out, 1, labelPair(n, v)));
    boolean instance = key.has("instance");
    int[] pos = {0};
    while (pos[0] < metric.length) {
      int fieldStart = pos[0];
      long tag = varint(metric, pos);
      int valueStart = pos[0];
      skip(metric, pos, (int) (tag & 7));
      if (tag >>> 3 == 1 && (tag & 7) == LEN) {
        int[] p = {valueStart};
        int len = (int) varint(metric, p);
        String name = labelName(metric, p[0], p[0] + len);
        if (key.has(name)) {
          continue;
        }
        instance |= name.equals("instance");
      }
      out.write(metric, fieldStart, pos[0] - fieldStart);
    }
    if (!instance) {
      // As the Pushgateway: an empty instance label keeps the ingesting job's instance off the series.
      writeMessage(out, 1, labelPair("instance", ""));
    }
    return out.toByteArray();
  }

  private static String labelName(byte[] buf, int start, int end) {
    int[] pos = {start};
    while (pos[0] < end) {
      long tag = varint(buf, pos);
      int valueStart = pos[0];
      skip(buf, pos, (int) (tag & 7));
      if (tag >>> 3 == 1 && (tag & 7) == LEN) {
        int[] p = {valueStart};
        int len = (int) varint(buf, p);
        return new String(buf, p[0], len, StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  /**
   * A text-pushed family as a MetricFamily message. Histogram and summary families become one
   * metric per series of their {@code _bucket}/{@code quantile}, {@code _sum} and {@code _count}
   * samples; samples that do not fit that shape are left out.
   */
  static byte[] encode(String name, MetricType type, String help, List<PushedGroup.PushedSample> samples) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeString(out, 1, name);
    if (!help.isEmpty()) {
      writeString(out, 2, help);
    }
    int protoType = switch (type) {
      case COUNTER -> 0;
      case GAUGE -> 1;
      case SUMMARY -> 2;
      case HISTOGRAM -> 4;
      default -> 3;
    };
    writeVarint(out, 3 << 3 | VARINT);
    writeVarint(out, protoType);
    if (type == MetricType.HISTOGRAM || type == MetricType.SUMMARY) {
      for (Map.Entry<Labels, Complex> e : group(name, type, samples).entrySet()) {
        writeMessage(out, 4, e.getValue().encode(e.getKey(), type == MetricType.HISTOGRAM));
      }
    } else {
      int field = protoType == 0 ? 3 : protoType == 1 ? 2 : 5;
      for (PushedGroup.PushedSample s : samples) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        writeLabels(m, s.labels());
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeDouble(v, 1, s.value());
        writeMessage(m, field, v.toByteArray());
        writeMessage(out, 4, m.toByteArray());
      }
    }
    return out.toByteArray();
  }

  /** The sum, count and buckets (or quantiles) of one histogram or summary series. */
  private static final class Complex {
    double sum;
    double count;
    final Map<Double, Double> points = new TreeMap<>();

    byte[] encode(Labels labels, boolean histogram) {
      ByteArrayOutputStream m = new ByteArrayOutputStream();
      writeLabels(m, labels);
      ByteArrayOutputStream h = new ByteArrayOutputStream();
      if (histogram) {
        writeDouble(h, 2, sum);
        writeDouble(h, 4, count);
        for (Map.Entry<Double, Double> b : points.entrySet()) {
          ByteArrayOutputStream bucket = new ByteArrayOutputStream();
          writeDouble(bucket, 2, b.getKey());
          writeDouble(bucket, 4, b.getValue());
          writeMessage(h, 3, bucket.toByteArray());
        }
        writeMessage(m, 7, h.toByteArray());
      } else {
        writeVarint(h, 1 << 3 | VARINT);
        writeVarint(h, (long) count);
        writeDouble(h, 2, sum);
        for (Map.Entry<Double, Double> q : points.entrySet()) {
          ByteArrayOutputStream quantile = new ByteArrayOutputStream();
          writeDouble(quantile, 1, q.getKey());
          writeDouble(quantile, 2, q.getValue());
          writeMessage(h, 3, quantile.toByteArray());
        }
        writeMessage(m, 4, h.toByteArray());
      }
      return m.toByteArray();
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
    writeVarint(out, msg.length);
    out.write(msg, 0, msg.length);
  }

  private static void writeLabels(ByteArrayOutputStream m, Labels labels) {
    labels.forEach((n, v) -> {
      if (!n.equals("__name__")) {
        writeMessage(m, 1, labelPair(n, v));
      }
    });
    if (!labels.has("instance")) {
      writeMessage(m, 1, labelPair("instance", ""));
    }
  }

  private static byte[] labelPair(String name, String value) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    writeString(p, 1, name);
    writeString(p, 2, value);
    return p.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, int field, String s) {
    writeMessage(out, field, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeMessage(ByteArrayOutputStream out, int field, byte[] msg) {
    writeVarint(out, (long) field << 3 | LEN);
    delimit(out, msg);
  }

  private static void writeDouble(ByteArrayOutputStream out, int field, double v) {
    writeVarint(out, (long) field << 3 | FIXED64);
    long bits = Double.doubleToRawLongBits(v);
    for (int i = 0; i < 8; i++) {
      out.write((int) (bits >>> (8 * i)) & 0xFF);
    }
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long varint(byte[] buf, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= buf.length) {
        throw new ExpositionException("unexpected end of protobuf message");
      }
      byte b = buf[pos[0]++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new ExpositionException("invalid protobuf varint");
  }

  private static void skip(byte[] buf, int[] pos, int wire) {
    long n = switch (wire) {
      case VARINT -> {
        varint(buf, pos);
        yield 0;
      }
      case FIXED64 -> 8;
      case LEN -> varint(buf, pos);
      case FIXED32 -> 4;
      default -> throw new ExpositionException("invalid protobuf wire type " + wire);
    };
    if (n < 0 || n > buf.length - pos[0]) {
      throw new ExpositionException("unexpected end of protobuf message");
    }
    pos[0] += (int) n;
  }
}
