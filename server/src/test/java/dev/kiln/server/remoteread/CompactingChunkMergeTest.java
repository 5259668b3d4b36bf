package dev.kiln.server.remoteread;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.server.remotewrite.proto.v1.Chunk;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompactingChunkMergeTest {
  /** Float samples at the given times (value = time / 10). */
  private static SeriesSamples samples(long... ts) {
    SeriesSamples s = new SeriesSamples();
    s.ts = ts.clone();
    s.vs = new double[ts.length];
    s.types = new ValueType[ts.length];
    s.hs = new dev.kiln.tsdb.histogram.Histogram[ts.length];
    s.fhs = new dev.kiln.tsdb.histogram.FloatHistogram[ts.length];
    for (int i = 0; i < ts.length; i++) {
      s.vs[i] = ts[i] / 10.0;
      s.types[i] = ValueType.FLOAT;
    }
    s.n = ts.length;
    return s;
  }

  private static long[] range(long from, long to) {
    long[] out = new long[(int) (to - from)];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }

  private static Chunk chunk(long from, long to) {
    return SeriesChunker.oneChunk(samples(range(from, to)), 0, (int) (to - from)).get(0);
  }

  private static List<Long> times(Chunk c) {
    List<Long> out = new ArrayList<>();
    SampleIterator it = XorChunk.fromBytes(c.getData().toByteArray()).iterator(null);
    while (it.next() != ValueType.NONE) {
      out.add(it.atT());
    }
    return out;
  }

  @Test
  void overlappingChunksAreMergedAndCutAt120WhileOthersPassAsTheyAre() {
    Chunk a1 = chunk(0, 100);
    Chunk b1 = chunk(50, 150);
    Chunk a2 = chunk(200, 300);
    long[] merged = new long[250];
    System.arraycopy(range(0, 150), 0, merged, 0, 150);
    System.arraycopy(range(200, 300), 0, merged, 150, 100);
    List<Chunk> out = CompactingChunkMerge.merge(List.of(a1, a2, b1), samples(merged));
    assertEquals(3, out.size());
    assertEquals(0, out.get(0).getMinTimeMs());
    assertEquals(119, out.get(0).getMaxTimeMs());
    assertEquals(range(0, 120).length, times(out.get(0)).size());
    assertEquals(120, out.get(1).getMinTimeMs());
    assertEquals(149, out.get(1).getMaxTimeMs());
    assertEquals(a2, out.get(2), "the chunk overlapping nothing, as it was");
  }

  @Test
  void aPerfectDuplicateIsDroppedWithoutReEncoding() {
    Chunk a1 = chunk(0, 100);
    List<Chunk> out = CompactingChunkMerge.merge(List.of(a1, a1.toBuilder().build()), samples(range(0, 100)));
    assertEquals(List.of(a1), out);
  }

  @Test
  void aChunkOverlappingTheRunsSpanJoinsTheRun() {
    Chunk a1 = chunk(0, 100);
    Chunk b1 = chunk(50, 150);
    Chunk c1 = chunk(140, 160);
    List<Chunk> out = CompactingChunkMerge.merge(List.of(a1, b1, c1), samples(range(0, 160)));
    // [140,159] overlaps b1, not a1: the run spans [0,159], re-encoded as [0,119] and [120,159].
    assertEquals(2, out.size());
    assertEquals(List.of(0L, 119L, 120L, 159L), List.of(out.get(0).getMinTimeMs(), out.get(0).getMaxTimeMs(),
        out.get(1).getMinTimeMs(), out.get(1).getMaxTimeMs()));
  }
}
