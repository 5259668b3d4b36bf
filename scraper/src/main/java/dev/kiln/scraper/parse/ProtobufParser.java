package dev.kiln.scraper.parse;

import static dev.kiln.scraper.parse.ExpositionSink.NO_TIMESTAMP;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.MetricType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the Prometheus protobuf exposition format ({@code application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited}): varint-length-delimited
 * {@code io.prometheus.client.MetricFamily} messages, decoded by hand. Series come out as
 * Prometheus's {@code textparse.ProtobufParser} yields them: counters, gauges and untyped as one
 * sample; summaries as {@code _count}, {@code _sum} and one series per quantile; classic histograms
 * as {@code _count}, {@code _sum} and {@code _bucket} series with {@code le} (an {@code +Inf}
 * bucket added when missing); native histograms as one histogram sample of the family name, then
 * (with {@link Options#keepClassic}) the classic series too. Created timestamps produce no series;
 * the sink learns a metric's through {@link ProtobufSink#created} before its series (for
 * created-timestamp zero ingestion). Exemplars go to the sink after their sample, as Prometheus's
 * {@code Exemplar()} yields them: a counter's, each classic bucket's on its {@code _bucket} series,
 * and for a native histogram its {@code exemplars} field, or else its buckets' exemplars, only
 * those with a timestamp. A
 * timestamp of 0 means none, as in Prometheus. Single-thread; stateless between calls.
 */
public final class ProtobufParser {
  /** The media type of the format. */
  public static final String MEDIA_TYPE = "application/vnd.google.protobuf";

  /**
   * @param nativeHistograms whether a histogram with native buckets yields a native histogram;
   *     when false it yields its classic series
   * @param keepClassic whether a histogram yielded as native also yields its classic series
   *     (when it has classic buckets)
   */
  public record Options(boolean nativeHistograms, boolean keepClassic) {}

  private static final int COUNTER = 0;
  private static final int GAUGE = 1;
  private static final int SUMMARY = 2;
  private static final int UNTYPED = 3;
  private static final int HISTOGRAM = 4;
  private static final int GAUGE_HISTOGRAM = 5;

  private final Options options;
  private final ProtobufSink sink;
  private final ByteArrayOutputStream key = new ByteArrayOutputStream(128);
  private final List<String> labelPairs = new ArrayList<>();
  /** The created timestamp of the metric being read, in milliseconds; 0 when it has none. */
  private long created;
  /** The counter exemplar of the metric being read, or null. */
  private PExemplar counterExemplar;

  /** An exemplar as read: labels sorted, timestamp {@link ExpositionSink#NO_TIMESTAMP} when none. */
  private record PExemplar(Labels labels, double value, long timestamp) {}

  private static PExemplar exemplar(ProtoReader r) {
    List<String> pairs = new ArrayList<>();
    double v = 0;
    long ts = NO_TIMESTAMP;
    while (r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      int field = (int) (tag >>> 3);
      if (field == 1 && wire == ProtoReader.LEN) {
        labelPair(r.message(), pairs);
      } else if (field == 2 && wire == ProtoReader.FIXED64) {
        v = r.fixed64();
      } else if (field == 3 && wire == ProtoReader.LEN) {
        ts = timestampMillis(r.message());
      } else {
        r.skip(wire);
      }
    }
    Labels.Builder b = Labels.builder();
    for (int i = 0; i + 1 < pairs.size(); i += 2) {
      b.set(pairs.get(i), pairs.get(i + 1));
    }
    return new PExemplar(b.build(), v, ts);
  }

  private void emit(PExemplar e) {
    if (e != null) {
      sink.exemplar(e.labels(), e.value(), e.timestamp());
    }
  }

  private ProtobufParser(Options options, ProtobufSink sink) {
    this.options = options;
    this.sink = sink;
  }

  /** Parses {@code body[0, length)} into {@code sink}. */
  public static void parse(byte[] body, int length, Options options, ProtobufSink sink) {
    new ProtobufParser(options, sink).parseAll(body, length);
  }

  /** Whether {@code contentType} names the protobuf exposition of MetricFamily messages. */
  public static boolean isProtobuf(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    if (!media.equalsIgnoreCase(MEDIA_TYPE)) {
      return false;
    }
    // Prometheus's textparse picks the parser on the media type and the proto parameter.
    for (String p : contentType.split(";")) {
      String t = p.trim();
      if (t.regionMatches(true, 0, "proto=", 0, 6)) {
        return t.substring(6).trim().equals("io.prometheus.client.MetricFamily");
      }
    }
    return true;
  }

  private void parseAll(byte[] body, int length) {
    ProtoReader top = new ProtoReader(body, 0, length);
    while (top.more()) {
      family(top.message());
    }
  }

  /** The fields of the Metric message being read. */
  private static final class MetricFields {
    List<String> labels = new ArrayList<>();
    double value;
    long timestamp;
    ProtoReader summary;
    ProtoReader histogram;
  }

  private void family(ProtoReader r) {
    String name = "";
    String help = "";
    String unit = "";
    int type = COUNTER;
    List<ProtoReader> metrics = new ArrayList<>();
    while (r.more()) {
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      switch (field) {
        case 1 -> name = wire == ProtoReader.LEN ? r.string() : skipped(r, wire, "");
        case 2 -> help = wire == ProtoReader.LEN ? r.string() : skipped(r, wire, "");
        case 3 -> type = wire == ProtoReader.VARINT ? (int) r.varint() : skipped(r, wire, 0);
        case 4 -> {
          if (wire == ProtoReader.LEN) {
            metrics.add(r.message());
          } else {
            r.skip(wire);
          }
        }
        case 5 -> unit = wire == ProtoReader.LEN ? r.string() : skipped(r, wire, "");
        default -> r.skip(wire);
      }
    }
    if (metrics.isEmpty()) {
      return; // Prometheus skips empty metric families.
    }
    if (name.isEmpty()) {
      throw new ExpositionException("invalid metric name: " + name);
    }
    if (type < COUNTER || type > GAUGE_HISTOGRAM) {
      throw new ExpositionException("unknown metric type for metric \"" + name + "\": " + type);
    }
    checkUnit(name, unit, type);
    sink.metadata(name, metricType(type), help, unit);
    for (ProtoReader m : metrics) {
      metric(name, type, m);
    }
  }

  private static <T> T skipped(ProtoReader r, int wire, T dflt) {
    r.skip(wire);
    return dflt;
  }

  private static void checkUnit(String name, String unit, int type) {
    if (unit.isEmpty()) {
      return;
    }
    String base = name;
    String what = "metric";
    if (type == COUNTER && name.endsWith("_total")) {
      base = name.substring(0, name.length() - 6);
      what = "counter";
    }
    if (!base.endsWith(unit) || base.length() < unit.length() + 1 || base.charAt(base.length() - unit.length() - 1) != '_') {
      throw new ExpositionException("unit \"" + unit + "\" not a suffix of " + what + " \"" + name + "\"");
    }
  }

  private static MetricType metricType(int type) {
    return switch (type) {
      case COUNTER -> MetricType.COUNTER;
      case GAUGE -> MetricType.GAUGE;
      case SUMMARY -> MetricType.SUMMARY;
      case HISTOGRAM -> MetricType.HISTOGRAM;
      case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
      default -> MetricType.UNKNOWN;
    };
  }

  private void metric(String name, int type, ProtoReader r) {
    MetricFields m = new MetricFields();
    created = 0;
    counterExemplar = null;
    while (r.more()) {
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (wire != ProtoReader.LEN && field != 6) {
        r.skip(wire);
        continue;
      }
      switch (field) {
        case 1 -> labelPair(r.message(), m.labels);
        case 2 -> { // gauge
          if (type == GAUGE) {
            m.value = valueField(r.message());
          } else {
            r.skip(wire);
          }
        }
        case 3 -> {
          if (type == COUNTER) {
            m.value = valueField(r.message());
          } else {
            r.skip(wire);
          }
        }
        case 4 -> m.summary = r.message();
        case 5 -> {
          if (type == UNTYPED) {
            m.value = valueField(r.message());
          } else {
            r.skip(wire);
          }
        }
        case 6 -> {
          if (wire == ProtoReader.VARINT) {
            m.timestamp = r.varint();
          } else {
            r.skip(wire);
          }
        }
        case 7 -> m.histogram = r.message();
        default -> r.skip(wire);
      }
    }
    long ts = m.timestamp != 0 ? m.timestamp : NO_TIMESTAMP;
    switch (type) {
      case COUNTER, GAUGE, UNTYPED -> {
        sink.created(type == COUNTER ? created : 0);
        sample(name, m.labels, null, null, m.value, ts);
        if (type == COUNTER) {
          emit(counterExemplar);
        }
      }
      case SUMMARY -> summary(name, m, ts);
      default -> histogram(name, type, m, ts);
    }
  }

  private static void labelPair(ProtoReader r, List<String> out) {
    String n = "";
    String v = "";
    while (r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      switch ((int) (tag >>> 3)) {
        case 1 -> n = wire == ProtoReader.LEN ? r.string() : skipped(r, wire, "");
        case 2 -> v = wire == ProtoReader.LEN ? r.string() : skipped(r, wire, "");
        default -> r.skip(wire);
      }
    }
    out.add(n);
    out.add(v);
  }

  /**
   * The double at field 1 of a Gauge, Counter or Untyped message; a Counter's created timestamp
   * (field 3) goes to {@link #created}.
   */
  private double valueField(ProtoReader r) {
    double v = 0;
    while (r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      if (tag >>> 3 == 1 && wire == ProtoReader.FIXED64) {
        v = r.fixed64();
      } else if (tag >>> 3 == 3 && wire == ProtoReader.LEN) {
        created = timestampMillis(r.message());
      } else if (tag >>> 3 == 2 && wire == ProtoReader.LEN) {
        counterExemplar = exemplar(r.message());
      } else {
        r.skip(wire);
      }
    }
    return v;
  }

  private void summary(String name, MetricFields m, long ts) {
    long count = 0;
    double sum = 0;
    List<double[]> quantiles = new ArrayList<>();
    ProtoReader r = m.summary;
    while (r != null && r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      int field = (int) (tag >>> 3);
      if (field == 1 && wire == ProtoReader.VARINT) {
        count = r.varint();
      } else if (field == 2 && wire == ProtoReader.FIXED64) {
        sum = r.fixed64();
      } else if (field == 3 && wire == ProtoReader.LEN) {
        ProtoReader q = r.message();
        double[] qv = new double[2];
        while (q.more()) {
          long t = q.varint();
          int w = (int) (t & 7);
          int f = (int) (t >>> 3);
          if ((f == 1 || f == 2) && w == ProtoReader.FIXED64) {
            qv[f - 1] = q.fixed64();
          } else {
            q.skip(w);
          }
        }
        quantiles.add(qv);
      } else if (field == 4 && wire == ProtoReader.LEN) {
        created = timestampMillis(r.message());
      } else {
        r.skip(wire);
      }
    }
    sink.created(created);
    sample(name + "_count", m.labels, null, null, unsignedToDouble(count), ts);
    sample(name + "_sum", m.labels, null, null, sum, ts);
    for (double[] q : quantiles) {
      sample(name, m.labels, "quantile", GoFloats.formatOpenMetrics(q[0]), q[1], ts);
    }
  }

  /** The decoded fields of a Histogram message. */
  private static final class HistogramFields {
    long count;
    double countFloat;
    double sum;
    int schema;
    double zeroThreshold;
    long zeroCount;
    double zeroCountFloat;
    /** The created timestamp in milliseconds, 0 when none. */
    long created;
    final List<Span> negativeSpans = new ArrayList<>();
    final List<Span> positiveSpans = new ArrayList<>();
    final LongList negativeDeltas = new LongList();
    final LongList positiveDeltas = new LongList();
    final DoubleList negativeCounts = new DoubleList();
    final DoubleList positiveCounts = new DoubleList();
    /** Classic buckets: cumulative count (float when the float field is set), upper bound. */
    final DoubleList bucketCounts = new DoubleList();
    final DoubleList bucketBounds = new DoubleList();
    /** Each classic bucket's exemplar (null when none), and the histogram's own exemplars. */
    final List<PExemplar> bucketExemplars = new ArrayList<>();
    final List<PExemplar> exemplars = new ArrayList<>();

    boolean isNative() {
      return !positiveSpans.isEmpty() || !negativeSpans.isEmpty() || zeroThreshold > 0 || zeroCount > 0;
    }

    double classicCount() {
      return countFloat != 0 ? countFloat : unsignedToDouble(count);
    }
  }

  private void histogram(String name, int type, MetricFields m, long ts) {
    HistogramFields h = decodeHistogram(m.histogram);
    sink.created(h.created);
    boolean asNative = options.nativeHistograms() && h.isNative();
    if (asNative) {
      int e = entry(name, m.labels, null, null);
      if (h.countFloat > 0 || h.zeroCountFloat > 0) {
        sink.histogram(e, null, floatHistogram(h, type), ts);
      } else {
        sink.histogram(e, intHistogram(h, type), null, ts);
      }
      // Native histograms take only exemplars with a timestamp: their own, or else the buckets'.
      for (PExemplar x : h.exemplars.isEmpty() ? h.bucketExemplars : h.exemplars) {
        if (x != null && x.timestamp() != NO_TIMESTAMP) {
          emit(x);
        }
      }
      if (!options.keepClassic() || h.bucketCounts.size == 0) {
        return;
      }
    }
    sample(name + "_count", m.labels, null, null, h.classicCount(), ts);
    sample(name + "_sum", m.labels, null, null, h.sum, ts);
    int n = h.bucketCounts.size;
    for (int i = 0; i < n; i++) {
      double bound = h.bucketBounds.values[i];
      sample(name + "_bucket", m.labels, "le", GoFloats.formatOpenMetrics(bound), h.bucketCounts.values[i], ts);
      emit(h.bucketExemplars.get(i));
      if (bound == Double.POSITIVE_INFINITY) {
        return;
      }
    }
    sample(name + "_bucket", m.labels, "le", "+Inf", h.classicCount(), ts);
  }

  /**
   * A {@code google.protobuf.Timestamp} in milliseconds, as Prometheus's {@code CreatedTimestamp}
   * computes it: {@code seconds*1000 + nanos/1e6}, unvalidated.
   */
  private static long timestampMillis(ProtoReader r) {
    long seconds = 0;
    long nanos = 0;
    while (r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      if (tag >>> 3 == 1 && wire == ProtoReader.VARINT) {
        seconds = r.varint();
      } else if (tag >>> 3 == 2 && wire == ProtoReader.VARINT) {
        nanos = (int) r.varint();
      } else {
        r.skip(wire);
      }
    }
    return seconds * 1000 + nanos / 1_000_000;
  }

  private static HistogramFields decodeHistogram(ProtoReader r) {
    HistogramFields h = new HistogramFields();
    while (r != null && r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      switch ((int) (tag >>> 3)) {
        case 1 -> h.count = wire == ProtoReader.VARINT ? r.varint() : skipped(r, wire, 0L);
        case 2 -> h.sum = wire == ProtoReader.FIXED64 ? r.fixed64() : skipped(r, wire, 0.0);
        case 3 -> {
          if (wire == ProtoReader.LEN) {
            bucket(r.message(), h);
          } else {
            r.skip(wire);
          }
        }
        case 4 -> h.countFloat = wire == ProtoReader.FIXED64 ? r.fixed64() : skipped(r, wire, 0.0);
        case 5 -> h.schema = wire == ProtoReader.VARINT ? (int) ProtoReader.zigzag(r.varint()) : skipped(r, wire, 0);
        case 6 -> h.zeroThreshold = wire == ProtoReader.FIXED64 ? r.fixed64() : skipped(r, wire, 0.0);
        case 7 -> h.zeroCount = wire == ProtoReader.VARINT ? r.varint() : skipped(r, wire, 0L);
        case 8 -> h.zeroCountFloat = wire == ProtoReader.FIXED64 ? r.fixed64() : skipped(r, wire, 0.0);
        case 9 -> span(r, wire, h.negativeSpans);
        case 10 -> sint64s(r, wire, h.negativeDeltas);
        case 11 -> doubles(r, wire, h.negativeCounts);
        case 12 -> span(r, wire, h.positiveSpans);
        case 13 -> sint64s(r, wire, h.positiveDeltas);
        case 14 -> doubles(r, wire, h.positiveCounts);
        case 15 -> {
          if (wire == ProtoReader.LEN) {
            h.created = timestampMillis(r.message());
          } else {
            r.skip(wire);
          }
        }
        case 16 -> {
          if (wire == ProtoReader.LEN) {
            h.exemplars.add(exemplar(r.message()));
          } else {
            r.skip(wire);
          }
        }
        default -> r.skip(wire);
      }
    }
    return h;
  }

  private static void bucket(ProtoReader r, HistogramFields h) {
    long cumulative = 0;
    double cumulativeFloat = 0;
    double bound = 0;
    PExemplar ex = null;
    while (r.more()) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      switch ((int) (tag >>> 3)) {
        case 1 -> cumulative = wire == ProtoReader.VARINT ? r.varint() : skipped(r, wire, 0L);
        case 2 -> bound = wire == ProtoReader.FIXED64 ? r.fixed64() : skipped(r, wire, 0.0);
        case 3 -> {
          if (wire == ProtoReader.LEN) {
            ex = exemplar(r.message());
          } else {
            r.skip(wire);
          }
        }
        case 4 -> cumulativeFloat = wire == ProtoReader.FIXED64 ? r.fixed64() : skipped(r, wire, 0.0);
        default -> r.skip(wire);
      }
    }
    h.bucketCounts.add(cumulativeFloat != 0 ? cumulativeFloat : unsignedToDouble(cumulative));
    h.bucketBounds.add(bound);
    h.bucketExemplars.add(ex);
  }

  private static void span(ProtoReader r, int wire, List<Span> out) {
    if (wire != ProtoReader.LEN) {
      r.skip(wire);
      return;
    }
    ProtoReader s = r.message();
    int offset = 0;
    int length = 0;
    while (s.more()) {
      long tag = s.varint();
      int w = (int) (tag & 7);
      int f = (int) (tag >>> 3);
      if (f == 1 && w == ProtoReader.VARINT) {
        offset = (int) ProtoReader.zigzag(s.varint());
      } else if (f == 2 && w == ProtoReader.VARINT) {
        length = (int) s.varint();
      } else {
        s.skip(w);
      }
    }
    out.add(new Span(offset, length));
  }

  private static void sint64s(ProtoReader r, int wire, LongList out) {
    if (wire == ProtoReader.VARINT) {
      out.add(ProtoReader.zigzag(r.varint()));
    } else if (wire == ProtoReader.LEN) {
      ProtoReader p = r.message();
      while (p.more()) {
        out.add(ProtoReader.zigzag(p.varint()));
      }
    } else {
      r.skip(wire);
    }
  }

  private static void doubles(ProtoReader r, int wire, DoubleList out) {
    if (wire == ProtoReader.FIXED64) {
      out.add(r.fixed64());
    } else if (wire == ProtoReader.LEN) {
      ProtoReader p = r.message();
      while (p.more()) {
        out.add(p.fixed64());
      }
    } else {
      r.skip(wire);
    }
  }

  private static FloatHistogram floatHistogram(HistogramFields h, int type) {
    FloatHistogram fh = new FloatHistogram();
    fh.count = h.countFloat;
    fh.sum = h.sum;
    fh.zeroThreshold = h.zeroThreshold;
    fh.zeroCount = h.zeroCountFloat;
    fh.schema = h.schema;
    fh.positiveSpans = h.positiveSpans.toArray(new Span[0]);
    fh.positiveBuckets = h.positiveCounts.toArray();
    fh.negativeSpans = h.negativeSpans.toArray(new Span[0]);
    fh.negativeBuckets = h.negativeCounts.toArray();
    if (type == GAUGE_HISTOGRAM) {
      fh.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.GAUGE;
    }
    return fh.compact(0);
  }

  private static Histogram intHistogram(HistogramFields h, int type) {
    Histogram ih = new Histogram();
    ih.count = h.count;
    ih.sum = h.sum;
    ih.zeroThreshold = h.zeroThreshold;
    ih.zeroCount = h.zeroCount;
    ih.schema = h.schema;
    ih.positiveSpans = h.positiveSpans.toArray(new Span[0]);
    ih.positiveBuckets = h.positiveDeltas.toArray();
    ih.negativeSpans = h.negativeSpans.toArray(new Span[0]);
    ih.negativeBuckets = h.negativeDeltas.toArray();
    if (type == GAUGE_HISTOGRAM) {
      ih.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.GAUGE;
    }
    return IntHistograms.compact(ih);
  }

  private void sample(String name, List<String> labels, String extraName, String extraValue, double v, long ts) {
    int e = entry(name, labels, extraName, extraValue);
    sink.sample(e, v, ts);
  }

  /** Looks the series up in the sink, parsing its labels only when it is new. */
  private int entry(String name, List<String> labels, String extraName, String extraValue) {
    Labels l = labels(name, labels, extraName, extraValue);
    byte[] k = key(l);
    int e = sink.cached(k, 0, k.length);
    if (e < 0) {
      e = sink.newSeries(k, 0, k.length, new Parsed(name, l));
    }
    return e;
  }

  private static Labels labels(String name, List<String> pairs, String extraName, String extraValue) {
    Labels.Builder b = Labels.builder();
    for (int i = 0; i < pairs.size(); i += 2) {
      String n = pairs.get(i);
      if (n.isEmpty() || n.equals(Labels.METRIC_NAME)) {
        throw new ExpositionException("invalid label name \"" + n + "\" for metric \"" + name + "\"");
      }
      if (b.get(n) != null) {
        throw new ExpositionException("duplicate label name \"" + n + "\" for metric \"" + name + "\"");
      }
      b.set(n, pairs.get(i + 1));
    }
    if (extraName != null) {
      b.set(extraName, extraValue);
    }
    b.set(Labels.METRIC_NAME, name);
    return b.build();
  }

  /** Prometheus's protobuf entry bytes: the name, then 0xFF name 0xFF value for each other label. */
  private byte[] key(Labels l) {
    ByteArrayOutputStream k = key;
    k.reset();
    byte[] n = l.metricName().getBytes(StandardCharsets.UTF_8);
    k.write(n, 0, n.length);
    for (int i = 0; i < l.size(); i++) {
      if (l.name(i).equals(Labels.METRIC_NAME)) {
        continue;
      }
      k.write(0xff);
      byte[] ln = l.name(i).getBytes(StandardCharsets.UTF_8);
      k.write(ln, 0, ln.length);
      k.write(0xff);
      byte[] lv = l.value(i).getBytes(StandardCharsets.UTF_8);
      k.write(lv, 0, lv.length);
    }
    return k.toByteArray();
  }

  private static double unsignedToDouble(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }

  private record Parsed(String metricName, Labels labels) implements ParsedSeries {}

  private static final class LongList {
    long[] values = new long[8];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }

  private static final class DoubleList {
    double[] values = new double[8];
    int size;

    void add(double v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    double[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}
