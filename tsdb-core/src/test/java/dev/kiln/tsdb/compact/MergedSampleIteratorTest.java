package dev.kiln.tsdb.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.storage.ArraySampleIterator;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The merged iterator against a TreeMap oracle: union by timestamp, the lowest source wins ties. */
class MergedSampleIteratorTest {
  @Test
  void mergesLikeAnOracleWithAndWithoutSeeks() {
    long seed = Long.getLong("test.seed", System.nanoTime());
    Random r = new Random(seed);
    for (int round = 0; round < 2000; round++) {
      int k = 1 + r.nextInt(4);
      long[][] ts = new long[k][];
      double[][] vs = new double[k][];
      TreeMap<Long, Double> oracle = new TreeMap<>();
      for (int i = 0; i < k; i++) {
        // Sources are disjoint runs (block then head) or interleaved, with shared timestamps.
        boolean disjoint = r.nextBoolean();
        int n = r.nextInt(30);
        ts[i] = new long[n];
        vs[i] = new double[n];
        long t = disjoint ? i * 1000L : r.nextInt(20);
        for (int j = 0; j < n; j++) {
          t += 1 + r.nextInt(disjoint ? 20 : 5);
          ts[i][j] = t;
          vs[i][j] = i * 1000 + j;
          oracle.putIfAbsent(t, vs[i][j]);
        }
      }
      String where = "seed " + seed + " round " + round;
      assertEquals(new ArrayList<>(oracle.entrySet()), drain(merged(ts, vs, k), Long.MIN_VALUE), where);
      assertEquals(new ArrayList<>(oracle.entrySet()), drainInBulk(merged(ts, vs, k), r), where + " bulk");
      long seekTo = r.nextInt(4000);
      assertEquals(new ArrayList<>(oracle.tailMap(seekTo, true).entrySet()), drain(merged(ts, vs, k), seekTo),
          where + " seek " + seekTo);
    }
  }

  private static SampleIterator merged(long[][] ts, double[][] vs, int k) {
    SampleIterator[] its = new SampleIterator[k];
    for (int i = 0; i < k; i++) {
      its[i] = new ArraySampleIterator(ts[i], vs[i], ts[i].length);
    }
    return new MergeQuerier.MergedSampleIterator(its);
  }

  /** Reads with random bulk runs and limits between single steps. */
  private static List<Map.Entry<Long, Double>> drainInBulk(SampleIterator it, Random r) {
    List<Map.Entry<Long, Double>> out = new ArrayList<>();
    long[] ts = new long[16];
    double[] vs = new double[16];
    ValueType vt = it.next();
    while (vt != ValueType.NONE) {
      out.add(Map.entry(it.atT(), it.atV()));
      int n;
      while ((n = it.nextFloats(r.nextBoolean() ? Long.MAX_VALUE : it.atT() + r.nextInt(40), ts, vs, 0,
          1 + r.nextInt(16))) > 0) {
        for (int i = 0; i < n; i++) {
          out.add(Map.entry(ts[i], vs[i]));
        }
        assertEquals(ts[n - 1], it.atT());
      }
      vt = it.next();
    }
    return out;
  }

  private static List<Map.Entry<Long, Double>> drain(SampleIterator it, long seek) {
    List<Map.Entry<Long, Double>> out = new ArrayList<>();
    ValueType vt = seek == Long.MIN_VALUE ? it.next() : it.seek(seek);
    while (vt != ValueType.NONE) {
      out.add(Map.entry(it.atT(), it.atV()));
      vt = it.next();
    }
    return out;
  }
}
