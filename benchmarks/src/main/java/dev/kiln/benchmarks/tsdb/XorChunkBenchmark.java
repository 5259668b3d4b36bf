package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * XOR chunk encode and decode speed on the node_exporter-like dataset: each invocation encodes
 * (or decodes) 64 chunks of 120 samples, so the score is nanoseconds per sample.
 *
 * <p>Measured on the project machine: 2 shared vCPUs, OpenJDK 17, see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class XorChunkBenchmark {
  static final int CHUNKS = 64;
  static final int SAMPLES = 120;

  long[][] ts;
  double[][] vs;
  XorChunk[] encoded;
  SampleIterator reuse;

  @Setup
  public void setup() {
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(1, 7);
    ts = new long[CHUNKS][SAMPLES];
    vs = new double[CHUNKS][SAMPLES];
    encoded = new XorChunk[CHUNKS];
    for (int c = 0; c < CHUNKS; c++) {
      NodeExporterDataset.SampleStream s =
          new NodeExporterDataset.SampleStream(specs.get((c * 37) % specs.size()), c, 1_700_000_000_000L);
      XorChunk chunk = new XorChunk();
      for (int i = 0; i < SAMPLES; i++) {
        ts[c][i] = s.nextTimestamp();
        vs[c][i] = s.value();
        chunk.append(ts[c][i], vs[c][i]);
      }
      encoded[c] = chunk;
    }
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS * SAMPLES)
  public int encode() {
    int bytes = 0;
    for (int c = 0; c < CHUNKS; c++) {
      XorChunk chunk = new XorChunk();
      long[] t = ts[c];
      double[] v = vs[c];
      for (int i = 0; i < SAMPLES; i++) {
        chunk.append(t[i], v[i]);
      }
      bytes += chunk.length();
    }
    return bytes;
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS * SAMPLES)
  public double decode() {
    double sum = 0;
    for (int c = 0; c < CHUNKS; c++) {
      SampleIterator it = encoded[c].iterator(reuse);
      reuse = it;
      while (it.next() == ValueType.FLOAT) {
        sum += it.atT() + it.atV();
      }
    }
    return sum;
  }
}
