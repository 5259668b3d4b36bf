package dev.kiln.server.remoteread;

import com.google.protobuf.ByteString;
import dev.kiln.server.remotewrite.proto.v1.Chunk;
import dev.kiln.server.remotewrite.proto.v1.ChunkedSeries;
import dev.kiln.tsdb.storage.StoredChunk;
import java.util.List;

/**
 * Adds one series to a streamed remote read answer the way Prometheus's chunk querier yields it:
 * every stored chunk that lies wholly within the queried range goes out as stored (its bytes as
 * written to the block or head chunk file); a chunk reaching beyond the range, one with deleted
 * samples, or a head chunk still being appended to is re-encoded from the series' samples in the
 * range into one chunk ({@link SeriesChunker#encodeOneChunk}), as Prometheus re-encodes a chunk it
 * trims or that is still open. Where a series' chunks overlap (several blocks, or blocks and the
 * head, holding the same time) the chunks so treated are then merged as Prometheus's compacting
 * chunk merger merges them ({@link CompactingChunkMerge}); a series whose storage keeps no chunks
 * is re-encoded whole. Stateless.
 */
final class StoredChunks {
  private StoredChunks() {}

  static void add(SeriesSamples s, long start, long end, ChunkedSeries.Builder out) {
    List<StoredChunk> stored = s.stored;
    if (stored == null) {
      SeriesChunker.encode(s, out);
      return;
    }
    if (overlapping(stored)) {
      out.addAllChunks(CompactingChunkMerge.merge(perChunk(s, stored, start, end), s));
      return;
    }
    int i = 0;
    for (StoredChunk c : stored) {
      int from = i;
      while (i < s.n && s.ts[i] < c.minTime()) {
        i++;
      }
      SeriesChunker.encodeOneChunk(s, from, i, out); // Samples outside every chunk's range (none, normally).
      from = i;
      while (i < s.n && s.ts[i] <= c.maxTime()) {
        i++;
      }
      Chunk.Encoding type = c.data() == null ? null : switch (c.kind()) {
        case FLOAT -> Chunk.Encoding.XOR;
        case HISTOGRAM -> Chunk.Encoding.HISTOGRAM;
        case FLOAT_HISTOGRAM -> Chunk.Encoding.FLOAT_HISTOGRAM;
        default -> null;
      };
      if (type != null && c.minTime() >= start && c.maxTime() <= end) {
        out.addChunks(Chunk.newBuilder().setMinTimeMs(c.minTime()).setMaxTimeMs(c.maxTime()).setType(type)
            .setData(ByteString.copyFrom(c.data())));
      } else {
        SeriesChunker.encodeOneChunk(s, from, i, out);
      }
    }
    SeriesChunker.encodeOneChunk(s, i, s.n, out);
  }

  /**
   * Each stored chunk as its source's chunk querier yields it: as stored within the range, else
   * re-encoded from the samples of its time range (here the series' merged samples, which are its
   * own where no other chunk covers that time). Samples outside every chunk (none, normally) are
   * encoded on their own.
   */
  private static List<Chunk> perChunk(SeriesSamples s, List<StoredChunk> stored, long start, long end) {
    List<Chunk> out = new java.util.ArrayList<>();
    boolean[] covered = new boolean[s.n];
    for (StoredChunk c : stored) {
      int from = CompactingChunkMerge.lowerBound(s, c.minTime());
      int to = CompactingChunkMerge.lowerBound(s, c.maxTime() + 1);
      if (from >= to) {
        continue;
      }
      java.util.Arrays.fill(covered, from, to, true);
      Chunk.Encoding type = type(c);
      if (type != null && c.minTime() >= start && c.maxTime() <= end) {
        out.add(Chunk.newBuilder().setMinTimeMs(c.minTime()).setMaxTimeMs(c.maxTime()).setType(type)
            .setData(ByteString.copyFrom(c.data())).build());
      } else {
        out.addAll(SeriesChunker.oneChunk(s, from, to));
      }
    }
    for (int i = 0; i < s.n; i++) {
      if (!covered[i]) {
        int j = i;
        while (j < s.n && !covered[j]) {
          j++;
        }
        out.addAll(SeriesChunker.oneChunk(s, i, j));
        i = j;
      }
    }
    return out;
  }

  private static Chunk.Encoding type(StoredChunk c) {
    return c.data() == null ? null : switch (c.kind()) {
      case FLOAT -> Chunk.Encoding.XOR;
      case HISTOGRAM -> Chunk.Encoding.HISTOGRAM;
      case FLOAT_HISTOGRAM -> Chunk.Encoding.FLOAT_HISTOGRAM;
      default -> null;
    };
  }

  private static boolean overlapping(List<StoredChunk> chunks) {
    for (int k = 1; k < chunks.size(); k++) {
      if (chunks.get(k).minTime() <= chunks.get(k - 1).maxTime()) {
        return true;
      }
    }
    return false;
  }
}
