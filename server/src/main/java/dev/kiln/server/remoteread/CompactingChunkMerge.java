package dev.kiln.server.remoteread;

import dev.kiln.server.remotewrite.proto.v1.Chunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges a series' chunks from several sources (blocks and the head) where they overlap, as
 * Prometheus's {@code storage.NewCompactingChunkSeriesMerger(ChainedSeriesMerge)} does for a
 * streamed remote read: chunks are taken oldest first (by minimum, then maximum time); a chunk
 * that overlaps no other goes out as it is; a run of chunks each overlapping the span of those
 * before it (perfect duplicates of the previous one, same range and bytes, dropped) is replaced
 * by the series' merged samples of that span, re-encoded at 120 samples a chunk, whose first chunk
 * goes out and whose others go back among the chunks still to merge. Stateless.
 */
final class CompactingChunkMerge {
  private CompactingChunkMerge() {}

  private record Pending(Chunk chunk, long seq) {}

  /** The merged chunks of {@code chunks} (each a source's chunk), whose merged samples are {@code s}. */
  static List<Chunk> merge(List<Chunk> chunks, SeriesSamples s) {
    PriorityQueue<Pending> heap = new PriorityQueue<>(Comparator.<Pending>comparingLong(p -> p.chunk.getMinTimeMs())
        .thenComparingLong(p -> p.chunk.getMaxTimeMs()).thenComparingLong(Pending::seq));
    long seq = 0;
    for (Chunk c : chunks) {
      heap.add(new Pending(c, seq++));
    }
    List<Chunk> out = new ArrayList<>();
    while (!heap.isEmpty()) {
      Chunk curr = heap.poll().chunk;
      long oMax = curr.getMaxTimeMs();
      Chunk prev = curr;
      boolean overlapping = false;
      while (!heap.isEmpty() && heap.peek().chunk.getMinTimeMs() <= oMax) {
        Chunk next = heap.poll().chunk;
        if (!next.equals(prev)) {
          overlapping = true;
          oMax = Math.max(oMax, next.getMaxTimeMs());
          prev = next;
        }
      }
      if (!overlapping) {
        out.add(curr);
        continue;
      }
      List<Chunk> merged = SeriesChunker.chunks(s, lowerBound(s, curr.getMinTimeMs()), lowerBound(s, oMax + 1));
      if (merged.isEmpty()) {
        continue;
      }
      out.add(merged.get(0));
      for (int i = 1; i < merged.size(); i++) {
        heap.add(new Pending(merged.get(i), seq++));
      }
    }
    return out;
  }

  /** The index of the first sample at or after {@code t}. */
  static int lowerBound(SeriesSamples s, long t) {
    int lo = 0;
    int hi = s.n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s.ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
