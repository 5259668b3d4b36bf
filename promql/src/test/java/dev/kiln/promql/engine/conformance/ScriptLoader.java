package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Schemas;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.model.StaleNaN;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Appends the series of a {@code load} block. Histogram samples get the counter reset hints
 * Prometheus's TSDB gives them when they are read back (its chunk headers): gauge stays gauge; the
 * first histogram of a run (after a float, a stale marker or nothing) and one that says or shows
 * a counter reset start a new chunk and read back as UNKNOWN; the others as NOT_COUNTER_RESET. {@code load_with_nhcb} also stores classic histograms converted to
 * native histograms with custom buckets.
 */
final class ScriptLoader {
  private final Map<Labels, FloatHistogram> lastHistogram = new HashMap<>();

  void clear() {
    lastHistogram.clear();
  }

  void load(ScriptCommand.Load load, Appender app) {
    Map<Labels, List<SequenceValue>> all = new LinkedHashMap<>(load.series());
    if (load.withNhcb()) {
      all.putAll(nhcb(load.series()));
    }
    for (Map.Entry<Labels, List<SequenceValue>> e : all.entrySet()) {
      Labels l = e.getKey();
      List<SequenceValue> values = e.getValue();
      for (int i = 0; i < values.size(); i++) {
        SequenceValue v = values.get(i);
        if (v.omitted()) {
          continue;
        }
        long t = i * load.intervalMillis();
        if (v.isHistogram()) {
          FloatHistogram h = v.histogram().copy();
          h.counterResetHint = hint(lastHistogram.get(l), v.histogram());
          lastHistogram.put(l, h);
          app.appendHistogram(0, l, t, null, h, AppendOptions.NONE);
        } else {
          lastHistogram.remove(l);
          app.append(0, l, t, v.value(), AppendOptions.NONE);
        }
      }
    }
  }

  private static CounterResetHint hint(FloatHistogram prev, FloatHistogram h) {
    CounterResetHint in = h.counterResetHint;
    if (in == CounterResetHint.GAUGE) {
      return CounterResetHint.GAUGE;
    }
    if (prev == null || prev.counterResetHint == CounterResetHint.GAUGE || in == CounterResetHint.COUNTER_RESET) {
      return CounterResetHint.UNKNOWN;
    }
    FloatHistogram probe = h.copy();
    probe.counterResetHint = CounterResetHint.UNKNOWN;
    // A detected reset starts a new chunk, whose first sample reads back as UNKNOWN
    // (prometheus/prometheus#15346).
    return probe.detectReset(prev) ? CounterResetHint.UNKNOWN : CounterResetHint.NOT_COUNTER_RESET;
  }

  /** Converts the classic histograms of a block into NHCB series (Prometheus's load_with_nhcb). */
  static Map<Labels, List<SequenceValue>> nhcb(Map<Labels, List<SequenceValue>> series) {
    Map<Labels, Group> groups = new LinkedHashMap<>();
    for (Map.Entry<Labels, List<SequenceValue>> e : series.entrySet()) {
      String name = e.getKey().getOrEmpty(Labels.METRIC_NAME);
      for (String suffix : List.of("_bucket", "_count", "_sum")) {
        if (!name.endsWith(suffix)) {
          continue;
        }
        Labels base = e.getKey().toBuilder()
            .set(Labels.METRIC_NAME, name.substring(0, name.length() - suffix.length()))
            .delete("le").build();
        Group g = groups.computeIfAbsent(base, k -> new Group());
        switch (suffix) {
          case "_bucket" -> {
            String le = e.getKey().get("le");
            double bound;
            try {
              bound = le == null ? Double.NaN : SeriesDescription.parseNumber(le.trim());
            } catch (NumberFormatException ex) {
              bound = Double.NaN;
            }
            if (!Double.isNaN(bound)) {
              g.buckets.put(bound, e.getValue());
            }
          }
          case "_count" -> g.count = e.getValue();
          default -> g.sum = e.getValue();
        }
        break;
      }
    }
    Map<Labels, List<SequenceValue>> out = new LinkedHashMap<>();
    for (Map.Entry<Labels, Group> e : groups.entrySet()) {
      Group g = e.getValue();
      if (g.buckets.isEmpty()) {
        continue;
      }
      int len = 0;
      for (List<SequenceValue> v : g.buckets.values()) {
        len = Math.max(len, v.size());
      }
      List<SequenceValue> values = new ArrayList<>();
      for (int k = 0; k < len; k++) {
        values.add(g.at(k));
      }
      out.put(e.getKey(), values);
    }
    return out;
  }

  private static final class Group {
    final TreeMap<Double, List<SequenceValue>> buckets = new TreeMap<>();
    List<SequenceValue> count;
    List<SequenceValue> sum;

    private static SequenceValue value(List<SequenceValue> l, int k) {
      return l == null || k >= l.size() ? SequenceValue.OMITTED : l.get(k);
    }

    SequenceValue at(int k) {
      List<Double> les = new ArrayList<>();
      List<Double> cumulative = new ArrayList<>();
      boolean stale = false;
      for (Map.Entry<Double, List<SequenceValue>> b : buckets.entrySet()) {
        SequenceValue v = value(b.getValue(), k);
        if (v.omitted() || v.isHistogram()) {
          continue;
        }
        if (StaleNaN.is(v.value())) {
          stale = true;
          continue;
        }
        les.add(b.getKey());
        cumulative.add(v.value());
      }
      if (les.isEmpty()) {
        return stale ? SequenceValue.of(StaleNaN.VALUE) : SequenceValue.OMITTED;
      }
      SequenceValue c = value(count, k);
      SequenceValue s = value(sum, k);
      if (les.get(les.size() - 1) != Double.POSITIVE_INFINITY) {
        double total = !c.omitted() ? c.value() : cumulative.get(cumulative.size() - 1);
        les.add(Double.POSITIVE_INFINITY);
        cumulative.add(total);
      }
      FloatHistogram h = new FloatHistogram();
      h.schema = Schemas.CUSTOM_BUCKETS;
      double[] bounds = new double[les.size() - 1];
      double[] pops = new double[les.size()];
      double prev = 0;
      for (int i = 0; i < les.size(); i++) {
        if (i < bounds.length) {
          bounds[i] = les.get(i);
        }
        double cur = cumulative.get(i);
        if (cur < prev) {
          throw new IllegalArgumentException("load_with_nhcb: bucket counts are not cumulative");
        }
        pops[i] = cur - prev;
        prev = cur;
      }
      h.customValues = bounds;
      h.positiveSpans = new Span[] {new Span(0, pops.length)};
      h.positiveBuckets = pops;
      h.count = !c.omitted() ? c.value() : prev;
      h.sum = !s.omitted() ? s.value() : 0;
      h.compact(0);
      return SequenceValue.of(h, false);
    }
  }
}
