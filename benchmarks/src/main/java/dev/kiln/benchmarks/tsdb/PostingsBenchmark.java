package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.index.ListPostings;
import dev.kiln.tsdb.index.MemPostings;
import dev.kiln.tsdb.index.Postings;
import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Label matcher selection over the head index of about 1M node_exporter-like series (4546 hosts),
 * and cursor intersection of two 500k-entry lists. Score: microseconds per selection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PostingsBenchmark {
  MemPostings index;
  long[] evens;
  long[] multiplesOf3;

  @Setup
  public void setup() {
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(4546, 5);
    index = new MemPostings();
    for (int i = 0; i < specs.size(); i++) {
      index.add(i, specs.get(i).labels());
    }
    evens = new long[500_000];
    multiplesOf3 = new long[500_000];
    for (int i = 0; i < 500_000; i++) {
      evens[i] = 2L * i;
      multiplesOf3[i] = 3L * i;
    }
  }

  /** {@code node_cpu_seconds_total{mode="idle"}}: 36k of 290k ∩ 36k-per-mode lists. */
  @Benchmark
  public int intersectNameAndMode() {
    return index.select(
            LabelMatcher.equal("__name__", "node_cpu_seconds_total"), LabelMatcher.equal("mode", "idle"))
        .getCardinality();
  }

  /** One host's series of one metric: a small list intersected with a large one. */
  @Benchmark
  public int intersectHostAndName() {
    return index.select(
            LabelMatcher.equal("job", "node"),
            LabelMatcher.equal("instance", "host-42:9100"),
            LabelMatcher.equal("__name__", "node_cpu_seconds_total"))
        .getCardinality();
  }

  /** Literal alternation fast path over a 4546-value label. */
  @Benchmark
  public int regexAlternation() {
    return index.select(
            LabelMatcher.equal("__name__", "node_load1"),
            LabelMatcher.regex("instance", "host-1:9100|host-2:9100|host-3:9100"))
        .getCardinality();
  }

  /** Prefix fast path on the metric name. */
  @Benchmark
  public int regexPrefix() {
    return index.select(
            LabelMatcher.regex("__name__", "node_network_.*"), LabelMatcher.equal("instance", "host-42:9100"))
        .getCardinality();
  }

  /** General regex (runs re2j once per instance value) with a negative matcher. */
  @Benchmark
  public int regexGeneral() {
    return index.select(
            LabelMatcher.regex("instance", "host-1[0-9]+:9100"),
            LabelMatcher.equal("__name__", "node_cpu_seconds_total"),
            LabelMatcher.notEqual("mode", "idle"))
        .getCardinality();
  }

  /** Cursor (non-bitmap) intersection of two 500k lists, as block postings use. */
  @Benchmark
  public long cursorIntersect500k() {
    Postings p = Postings.intersect(List.of(new ListPostings(evens), new ListPostings(multiplesOf3)));
    long n = 0;
    while (p.next()) {
      n += p.at();
    }
    return n;
  }
}
