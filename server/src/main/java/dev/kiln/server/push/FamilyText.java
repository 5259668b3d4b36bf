package dev.kiln.server.push;

import dev.kiln.server.exposition.proto.Bucket;
import dev.kiln.server.exposition.proto.Histogram;
import dev.kiln.server.exposition.proto.LabelPair;
import dev.kiln.server.exposition.proto.Metric;
import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.Quantile;
import dev.kiln.server.exposition.proto.Summary;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import java.util.List;
import java.util.Locale;

/**
 * MetricFamily messages in the text format 0.0.4 as the Pushgateway's {@code /metrics} writes them
 * (expfmt's {@code MetricFamilyToText}): {@code # HELP} when the family has help, {@code # TYPE},
 * labels in their stored order with empty values written out, {@code le} and {@code quantile}
 * last, a {@code +Inf} bucket added where a histogram has none, floats in Go's {@code 'g'} form and
 * counts as integers.
 */
final class FamilyText {
  private FamilyText() {}

  static String write(List<MetricFamily> families) {
    StringBuilder sb = new StringBuilder();
    for (MetricFamily f : families) {
      String name = f.getName();
      if (f.hasHelp()) {
        sb.append("# HELP ").append(name).append(' ').append(f.getHelp().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
      }
      sb.append("# TYPE ").append(name).append(' ').append(f.getType().name().toLowerCase(Locale.ROOT)).append('\n');
      for (Metric m : f.getMetricList()) {
        switch (f.getType()) {
          case SUMMARY -> summary(sb, name, m);
          case HISTOGRAM, GAUGE_HISTOGRAM -> histogram(sb, name, m);
          default -> sample(sb, name, m, null, null, number(value(m)));
        }
      }
    }
    return sb.toString();
  }

  private static void summary(StringBuilder sb, String name, Metric m) {
    Summary s = m.getSummary();
    for (Quantile q : s.getQuantileList()) {
      sample(sb, name, m, "quantile", number(q.getQuantile()), number(q.getValue()));
    }
    sample(sb, name + "_sum", m, null, null, number(s.getSampleSum()));
    sample(sb, name + "_count", m, null, null, Long.toUnsignedString(s.getSampleCount()));
  }

  private static void histogram(StringBuilder sb, String name, Metric m) {
    Histogram h = m.getHistogram();
    boolean inf = false;
    for (Bucket b : h.getBucketList()) {
      String count = b.hasCumulativeCountFloat() ? number(b.getCumulativeCountFloat()) : Long.toUnsignedString(b.getCumulativeCount());
      sample(sb, name + "_bucket", m, "le", number(b.getUpperBound()), count);
      inf |= b.getUpperBound() == Double.POSITIVE_INFINITY;
    }
    String count = h.hasSampleCountFloat() ? number(h.getSampleCountFloat()) : Long.toUnsignedString(h.getSampleCount());
    if (!inf) {
      sample(sb, name + "_bucket", m, "le", "+Inf", count);
    }
    sample(sb, name + "_sum", m, null, null, number(h.getSampleSum()));
    sample(sb, name + "_count", m, null, null, count);
  }

  private static double value(Metric m) {
    return m.hasGauge() ? m.getGauge().getValue() : m.hasCounter() ? m.getCounter().getValue()
        : m.hasUntyped() ? m.getUntyped().getValue() : 0;
  }

  private static void sample(StringBuilder sb, String name, Metric m, String extraName, String extraValue, String value) {
    sb.append(name);
    if (m.getLabelCount() > 0 || extraName != null) {
      sb.append('{');
      boolean first = true;
      for (LabelPair l : m.getLabelList()) {
        first = label(sb, first, l.getName(), l.getValue());
      }
      if (extraName != null) {
        label(sb, first, extraName, extraValue);
      }
      sb.append('}');
    }
    sb.append(' ').append(value).append('\n');
  }

  private static boolean label(StringBuilder sb, boolean first, String name, String value) {
    if (!first) {
      sb.append(',');
    }
    sb.append(name).append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
    return false;
  }

  private static String number(double v) {
    return GoFloats.format(v, Notation.G);
  }
}
