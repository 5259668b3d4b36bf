package dev.kiln.promql.engine.conformance;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A public view of Prometheus's PromQL test scripts for differential tests in other modules: the
 * data each {@code eval} sees (everything loaded since the last {@code clear}) and the evals that
 * see it. Native histograms come as the scripts spell them (counter reset hints included); data
 * with start timestamps or {@code load_with_nhcb} is left out, with the reason.
 */
public final class ConformanceScripts {
  private ConformanceScripts() {}

  /**
   * One series: sample {@code i} at {@code timestamps[i]} ms (relative to the script's zero), the
   * native histogram {@code histograms[i]} or, where that is null, the float {@code values[i]}.
   */
  public record Series(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms) {
    /** Whether any sample is a native histogram. */
    public boolean hasHistograms() {
      for (FloatHistogram h : histograms) {
        if (h != null) {
          return true;
        }
      }
      return false;
    }
  }

  /** One eval: an instant query at {@code end}, or a range query; times in ms from the script's zero. */
  public record Query(int line, String expr, boolean range, long start, long end, long step, boolean expectFail) {}

  /** The data the queries see, or the reason it is left out ({@code skipReason} non-null). */
  public record Block(String file, int line, List<Series> series, List<Query> queries, String skipReason) {
    /** Whether any series holds a native histogram. */
    public boolean hasHistograms() {
      return series.stream().anyMatch(Series::hasHistograms);
    }
  }

  /** Every block of every {@code .test} script in {@code dir}, in file and line order. */
  public static List<Block> blocks(Path dir) throws IOException {
    List<Block> out = new ArrayList<>();
    List<Path> files;
    try (var s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
    }
    for (Path f : files) {
      out.addAll(blocks(f.getFileName().toString(), Files.readString(f)));
    }
    return out;
  }

  static List<Block> blocks(String file, String script) {
    List<Block> out = new ArrayList<>();
    Map<Labels, List<long[]>> times = new LinkedHashMap<>();
    Map<Labels, List<Double>> values = new LinkedHashMap<>();
    Map<Labels, List<FloatHistogram>> histograms = new LinkedHashMap<>();
    String skip = null;
    int line = 0;
    List<Query> queries = new ArrayList<>();
    for (ScriptCommand c : ScriptParser.parse(script)) {
      if (c instanceof ScriptCommand.Clear clear) {
        flush(out, file, line, times, values, histograms, queries, skip);
        times.clear();
        values.clear();
        histograms.clear();
        skip = null;
        line = clear.line();
      } else if (c instanceof ScriptCommand.Load load) {
        if (!queries.isEmpty()) {
          // Evals so far saw the data without this load: they form their own block.
          flush(out, file, line, times, values, histograms, queries, skip);
        }
        line = load.line();
        if (load.withNhcb()) {
          skip = "load_with_nhcb";
        }
        if (!load.startTimestampMetrics().isEmpty()) {
          skip = "start timestamps";
        }
        for (Map.Entry<Labels, List<SequenceValue>> e : load.series().entrySet()) {
          List<SequenceValue> seq = e.getValue();
          for (int i = 0; i < seq.size(); i++) {
            SequenceValue v = seq.get(i);
            if (v.omitted()) {
              continue;
            }
            times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new long[] {i * load.intervalMillis()});
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(v.isHistogram() ? 0 : v.value());
            histograms.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(v.isHistogram() ? v.histogram().copy() : null);
          }
        }
      } else if (c instanceof ScriptCommand.Eval ev) {
        queries.add(new Query(ev.line, ev.expr, ev.range, ev.start, ev.end, ev.step, ev.isFail()));
      }
    }
    flush(out, file, line, times, values, histograms, queries, skip);
    return out;
  }

  private static void flush(List<Block> out, String file, int line, Map<Labels, List<long[]>> times,
      Map<Labels, List<Double>> values, Map<Labels, List<FloatHistogram>> histograms, List<Query> queries, String skip) {
    if (queries.isEmpty()) {
      return;
    }
    List<Series> series = new ArrayList<>();
    for (Map.Entry<Labels, List<long[]>> e : times.entrySet()) {
      List<long[]> ts = e.getValue();
      List<Double> vs = values.get(e.getKey());
      long[] t = new long[ts.size()];
      List<FloatHistogram> hs = histograms.get(e.getKey());
      double[] v = new double[ts.size()];
      FloatHistogram[] h = new FloatHistogram[ts.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = ts.get(i)[0];
        v[i] = vs.get(i);
        h[i] = hs.get(i);
      }
      series.add(new Series(e.getKey(), t, v, h));
    }
    out.add(new Block(file, line, series, List.copyOf(queries), skip));
    queries.clear();
  }
}
