package dev.kiln.tsdb.block;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Normalises a series' chunks for a block over [mint, maxt] (inclusive): chunks that are already
 * inside the range, sorted and disjoint, and not touched by a deletion are kept as they are;
 * otherwise the samples are merged (the first chunk's sample wins at an equal timestamp),
 * cut to the range, filtered by the deleted intervals and re-encoded by {@link ChunkEncoder}
 * (XOR and histogram chunks of at most {@value #SAMPLES_PER_CHUNK} samples). Stateless.
 */
public final class ChunkRewriter {
  static final int SAMPLES_PER_CHUNK = ChunkEncoder.SAMPLES_PER_CHUNK;

  private ChunkRewriter() {}

  public static List<ChunkMeta> normalise(List<ChunkMeta> chunks, long mint, long maxt, List<Interval> deleted) {
    if (!needsRewrite(chunks, mint, maxt, deleted)) {
      return chunks;
    }
    List<ChunkMeta> sorted = new ArrayList<>(chunks);
    sorted.sort(Comparator.comparingLong(ChunkMeta::minTime));
    // k-way merge by timestamp; few chunks overlap, so a simple repeated scan is enough.
    int k = sorted.size();
    SampleIterator[] its = new SampleIterator[k];
    boolean[] live = new boolean[k];
    ValueType[] types = new ValueType[k];
    for (int i = 0; i < k; i++) {
      its[i] = sorted.get(i).chunk().iterator(null);
      types[i] = its[i].next();
      live[i] = types[i] != ValueType.NONE;
    }
    ChunkEncoder enc = new ChunkEncoder();
    long lastT = Long.MIN_VALUE;
    while (true) {
      int best = -1;
      for (int i = 0; i < k; i++) {
        if (live[i] && (best < 0 || its[i].atT() < its[best].atT())) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      long t = its[best].atT();
      if (t >= mint && t <= maxt && t != lastT && (deleted.isEmpty() || !Interval.anyContains(deleted, t))) {
        enc.add(its[best], types[best]);
        lastT = t;
      }
      for (int i = 0; i < k; i++) {
        while (live[i] && its[i].atT() == t) {
          types[i] = its[i].next();
          live[i] = types[i] != ValueType.NONE;
        }
      }
    }
    return enc.finish();
  }

  private static boolean needsRewrite(List<ChunkMeta> chunks, long mint, long maxt, List<Interval> deleted) {
    long prevMax = Long.MIN_VALUE;
    for (ChunkMeta c : chunks) {
      if (c.minTime() < mint || c.maxTime() > maxt || c.minTime() <= prevMax) {
        return true;
      }
      for (Interval iv : deleted) {
        if (iv.minTime() <= c.maxTime() && iv.maxTime() >= c.minTime()) {
          return true;
        }
      }
      prevMax = c.maxTime();
    }
    return false;
  }
}
