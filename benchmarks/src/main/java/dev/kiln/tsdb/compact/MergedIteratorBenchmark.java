package dev.kiln.tsdb.compact;

import dev.kiln.benchmarks.CpuTime;
import dev.kiln.tsdb.storage.ArraySampleIterator;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;

/**
 * Iterating one series merged from a block (1,200 samples, 5 h at 15 s) and the head (240 samples
 * after them), as a 6 h query over a compacted database reads it; prints the median thread CPU time
 * per sample. In package {@code compact} to reach the package-private iterator. Machine: 2 shared
 * vCPUs, OpenJDK 17, other builds running.
 */
public final class MergedIteratorBenchmark {
  private MergedIteratorBenchmark() {}

  public static void main(String[] args) throws Exception {
    int blockN = 1200;
    int headN = 240;
    long[] bt = new long[blockN];
    double[] bv = new double[blockN];
    long[] ht = new long[headN];
    double[] hv = new double[headN];
    for (int i = 0; i < blockN; i++) {
      bt[i] = i * 15_000L;
      bv[i] = i;
    }
    for (int i = 0; i < headN; i++) {
      ht[i] = (blockN + i) * 15_000L;
      hv[i] = blockN + i;
    }
    double ns = CpuTime.nanosPerCall(() -> {
      SampleIterator it = new MergeQuerier.MergedSampleIterator(new SampleIterator[] {
          new ArraySampleIterator(bt, bv, blockN), new ArraySampleIterator(ht, hv, headN)});
      double sum = 0;
      for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
        sum += it.atV() + it.atT();
      }
      return sum;
    }, 9, 20_000);
    System.out.printf("merged block + head iteration: %.2f ns CPU per sample%n", ns / (blockN + headN));
  }
}
