package dev.kiln.server.push;

import dev.kiln.server.exposition.proto.Bucket;
import dev.kiln.server.exposition.proto.Histogram;
import dev.kiln.server.exposition.proto.LabelPair;
import dev.kiln.server.exposition.proto.Metric;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.Quantile;
import dev.kiln.server.exposition.proto.Summary;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The {@code data} of the Pushgateway's {@code /api/v1/metrics}, in its form: one object per
 * group whose keys are sorted (as Go writes a map) and hold {@code labels} (the grouping key),
 * {@code last_push_successful} and one entry per family, push times included, each with
 * {@code time_stamp} (RFC 3339 with nanoseconds, UTC), {@code type}, {@code help} (left out when
 * empty) and {@code metrics}. A metric is a sorted object of {@code labels} (with
 * {@code instance=""} where there is none) and {@code value}, or for histograms
 * {@code buckets}/{@code count}/{@code sum} and for summaries {@code quantiles}/{@code count}/{@code sum},
 * numbers as strings in Go's {@code %v} form.
 */
final class PushedMetricsJson {
  static final String PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
  static final String PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private PushedMetricsJson() {}

  /** Writes the array of groups. */
  static void write(JsonOut out, List<PushedGroup> groups) {
    out.beginArray();
    for (PushedGroup g : groups) {
      group(out, g);
    }
    out.endArray();
  }

  private static void group(JsonOut out, PushedGroup g) {
    Map<String, Consumer<JsonOut>> entries = new TreeMap<>();
    entries.put("labels", o -> stringMap(o, labelMap(g.key(), false)));
    entries.put("last_push_successful", o -> o.value(g.lastPushSuccessful()));
    // Families come after, so a family named "labels" wins as in the Pushgateway's map.
    for (Map.Entry<String, PushedGroup.Family> e : g.families().entrySet()) {
      PushedGroup.Family f = e.getValue();
      MetricFamily mf = MetricFamilyCodec.decode(e.getKey(), f);
      boolean textParsed = f.protobuf() == null;
      entries.put(e.getKey(), o -> family(o, f.pushedNanos(), mf.getType().name(), mf.getHelp(),
          metrics -> mf.getMetricList().forEach(m -> metric(metrics, m, mf.getType(), textParsed))));
    }
    long pushStamp = g.pushNanos() != 0 ? g.pushNanos() : g.createdNanos();
    long failureStamp = g.failureNanos() != 0 ? g.failureNanos() : g.createdNanos();
    entries.put("push_time_seconds", o -> family(o, pushStamp, "GAUGE", PUSH_TIME_HELP,
        metrics -> timeMetric(metrics, g.key(), g.pushTime())));
    entries.put("push_failure_time_seconds", o -> family(o, failureStamp, "GAUGE", PUSH_FAILURE_TIME_HELP,
        metrics -> timeMetric(metrics, g.key(), g.failureTime())));
    out.beginObject();
    entries.forEach((name, w) -> {
      out.name(name);
      w.accept(out);
    });
    out.endObject();
  }

  private static void family(JsonOut out, long nanos, String type, String help, Consumer<JsonOut> metrics) {
    out.beginObject().name("time_stamp").value(timestamp(nanos)).name("type").value(type);
    if (!help.isEmpty()) {
      out.name("help").value(help);
    }
    out.name("metrics").beginArray();
    metrics.accept(out);
    out.endArray().endObject();
  }

  private static void timeMetric(JsonOut out, GroupingKey key, double value) {
    out.beginObject().name("labels");
    stringMap(out, labelMap(key, true));
    out.name("value").value(number(value)).endObject();
  }

  /**
   * One metric. {@code textParsed}: the family was pushed as text, whose parser in the
   * Pushgateway keeps histogram and summary counts as unsigned integers.
   */
  private static void metric(JsonOut out, Metric m, dev.kiln.server.exposition.proto.MetricType type, boolean textParsed) {
    Map<String, String> labels = new TreeMap<>();
    for (LabelPair l : m.getLabelList()) {
      labels.put(l.getName(), l.getValue());
    }
    labels.putIfAbsent("instance", "");
    out.beginObject();
    if (type == dev.kiln.server.exposition.proto.MetricType.HISTOGRAM) {
      Histogram h = m.getHistogram();
      Map<String, String> buckets = new TreeMap<>();
      for (Bucket b : h.getBucketList()) {
        buckets.put(number(b.getUpperBound()), b.getCumulativeCountFloat() > 0
            ? count(b.getCumulativeCountFloat(), textParsed) : Long.toUnsignedString(b.getCumulativeCount()));
      }
      out.name("buckets");
      stringMap(out, buckets);
      out.name("count").value(h.getSampleCountFloat() > 0
          ? count(h.getSampleCountFloat(), textParsed) : Long.toUnsignedString(h.getSampleCount()));
      out.name("labels");
      stringMap(out, labels);
      out.name("sum").value(number(h.getSampleSum()));
    } else if (type == dev.kiln.server.exposition.proto.MetricType.SUMMARY) {
      Summary s = m.getSummary();
      Map<String, String> quantiles = new TreeMap<>();
      for (Quantile q : s.getQuantileList()) {
        quantiles.put(number(q.getQuantile()), number(q.getValue()));
      }
      out.name("count").value(Long.toUnsignedString(s.getSampleCount())).name("labels");
      stringMap(out, labels);
      out.name("quantiles");
      stringMap(out, quantiles);
      out.name("sum").value(number(s.getSampleSum()));
    } else {
      double v = m.hasGauge() ? m.getGauge().getValue() : m.hasCounter() ? m.getCounter().getValue()
          : m.hasUntyped() ? m.getUntyped().getValue() : 0;
      out.name("labels");
      stringMap(out, labels);
      out.name("value").value(number(v));
    }
    out.endObject();
  }

  private static String count(double v, boolean textParsed) {
    return textParsed ? Long.toUnsignedString((long) v) : number(v);
  }

  /** A grouping key's labels, empty values included, and {@code instance=""} if asked and absent. */
  private static Map<String, String> labelMap(GroupingKey key, boolean withInstance) {
    Map<String, String> out = new TreeMap<>(key.asMap());
    if (withInstance) {
      out.putIfAbsent("instance", "");
    }
    return out;
  }

  private static void stringMap(JsonOut out, Map<String, String> m) {
    out.beginObject();
    m.forEach((k, v) -> out.name(k).value(v));
    out.endObject();
  }

  /** A float as Go's {@code fmt.Sprint} writes it. */
  static String number(double v) {
    return GoFloats.format(v, Notation.G);
  }

  /** A time as Go's {@code time.Time} marshals to JSON (RFC 3339 with nanoseconds, zeros trimmed), in UTC. */
  static String timestamp(long unixNanos) {
    Instant t = Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L), Math.floorMod(unixNanos, 1_000_000_000L));
    StringBuilder sb = new StringBuilder(LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(SECONDS));
    if (t.getNano() != 0) {
      String frac = String.format("%09d", t.getNano());
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(frac, 0, end);
    }
    return sb.append('Z').toString();
  }
}
