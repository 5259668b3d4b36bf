package dev.kiln.benchmarks.promql;

import dev.kiln.promql.ast.Expr;
import dev.kiln.promql.ast.Printer;
import dev.kiln.promql.parser.PromQLParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of reading PromQL text into the AST (ANTLR lexer and SLL parse, AST building and type
 * checks) and of printing it back, for a short dashboard query and a long alert expression. Every
 * query a dashboard panel or rule sends pays this once. Score: microseconds per call. Measured on
 * the 2-core development machine; see docs/benchmarks.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
public class ParseBenchmark {
  /** short: a typical Grafana panel query; long: a node-mixin disk alert. */
  @Param({"short", "long"})
  public String query;

  private String text;
  private Expr parsed;

  @Setup
  public void setup() {
    text = query.equals("short")
        ? "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\", job=~\"node|kubelet\"}[5m]))"
        : "(node_filesystem_avail_bytes{job=\"node\",fstype!=\"\"} / node_filesystem_size_bytes{job=\"node\","
            + "fstype!=\"\"} * 100 < 40 and predict_linear(node_filesystem_avail_bytes{job=\"node\",fstype!=\"\"}[6h],"
            + " 24*60*60) < 0 and node_filesystem_readonly{job=\"node\",fstype!=\"\"} == 0)";
    parsed = PromQLParser.parse(text);
  }

  @Benchmark
  public Expr parse() {
    return PromQLParser.parse(text);
  }

  @Benchmark
  public String prettyPrint() {
    return Printer.pretty(parsed);
  }
}
