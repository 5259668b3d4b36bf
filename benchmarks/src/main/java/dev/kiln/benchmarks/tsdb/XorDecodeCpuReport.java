package dev.kiln.benchmarks.tsdb;

import dev.kiln.benchmarks.CpuTime;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CPU nanoseconds per decoded sample of XOR chunks, for a machine too loaded for JMH's wall-clock
 * scores: {@link XorChunkBenchmark}'s node_exporter-like chunks and chunks shaped like the
 * dashboard workload's counters and gauges (values that change in most bits at each sample), read
 * one sample per {@code next()} and in bulk with {@code nextFloats}. Run with {@code java -cp
 * benchmarks.jar dev.kiln.benchmarks.tsdb.XorDecodeCpuReport [rounds]}.
 */
public final class XorDecodeCpuReport {
  private static final int CHUNKS = 512;
  private static final int SAMPLES = 120;

  private XorDecodeCpuReport() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    report("node_exporter", nodeExporterChunks(), rounds);
    report("dashboard", dashboardChunks(), rounds);
  }

  private static void report(String name, XorChunk[] chunks, int rounds) throws Exception {
    long[] ts = new long[SAMPLES];
    double[] vs = new double[SAMPLES];
    SampleIterator[] reuse = new SampleIterator[1];
    double single = CpuTime.nanosPerCall(() -> {
      double sum = 0;
      for (XorChunk c : chunks) {
        SampleIterator it = c.iterator(reuse[0]);
        reuse[0] = it;
        while (it.next() == ValueType.FLOAT) {
          sum += it.atT() + it.atV();
        }
      }
      return sum;
    }, rounds, 20);
    double bulk = CpuTime.nanosPerCall(() -> {
      double sum = 0;
      for (XorChunk c : chunks) {
        SampleIterator it = c.iterator(reuse[0]);
        reuse[0] = it;
        while (it.next() == ValueType.FLOAT) {
          sum += it.atT() + it.atV();
          int n = it.nextFloats(Long.MAX_VALUE, ts, vs, 0, SAMPLES);
          for (int i = 0; i < n; i++) {
            sum += ts[i] + vs[i];
          }
        }
      }
      return sum;
    }, rounds, 20);
    double samples = (double) CHUNKS * SAMPLES;
    System.out.printf("%s: next() %.2f ns/sample, nextFloats %.2f ns/sample (CPU, median of %d)%n",
        name, single / samples, bulk / samples, rounds);
  }

  private static XorChunk[] nodeExporterChunks() {
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(4, 7);
    XorChunk[] out = new XorChunk[CHUNKS];
    for (int c = 0; c < CHUNKS; c++) {
      NodeExporterDataset.SampleStream s =
          new NodeExporterDataset.SampleStream(specs.get((c * 37) % specs.size()), c, 1_700_000_000_000L);
      XorChunk chunk = new XorChunk();
      for (int i = 0; i < SAMPLES; i++) {
        chunk.append(s.nextTimestamp(), s.value());
      }
      chunk.compact();
      out[c] = chunk;
    }
    return out;
  }

  /** Counters growing by 0-10 in steps of 0.01 and gauges moving by multiples of 4096, at 15 s. */
  private static XorChunk[] dashboardChunks() {
    XorChunk[] out = new XorChunk[CHUNKS];
    for (int c = 0; c < CHUNKS; c++) {
      SplittableRandom r = new SplittableRandom(c);
      double v = r.nextInt(1_000_000) / 100.0;
      long t = 1_700_000_000_000L;
      XorChunk chunk = new XorChunk();
      for (int i = 0; i < SAMPLES; i++) {
        v += c % 4 == 3 ? (r.nextInt(257) - 128) * 4096.0 : r.nextInt(1000) / 100.0;
        t += 15_000 + (r.nextInt(10) == 0 ? r.nextInt(5) - 2 : 0);
        chunk.append(t, v);
      }
      chunk.compact();
      out[c] = chunk;
    }
    return out;
  }
}
