package dev.kiln.server.remoteread;

import com.google.protobuf.ByteString;
import dev.kiln.server.remotewrite.proto.v1.Chunk;
import dev.kiln.server.remotewrite.proto.v1.ChunkedSeries;
import dev.kiln.tsdb.chunk.SeriesToChunkEncoder;

/**
 * Adds one series' samples to a streamed remote read answer as TSDB chunks, cut as Prometheus's
 * {@code seriesToChunkEncoder} cuts them ({@link SeriesToChunkEncoder}). Stateless.
 */
final class SeriesChunker {
  private SeriesChunker() {}

  static void encode(SeriesSamples s, ChunkedSeries.Builder out) {
    encode(s, 0, s.n, new SeriesToChunkEncoder(), out);
  }

  /**
   * Adds the samples {@code from} (inclusive) to {@code to} (exclusive), the part of one stored
   * chunk in the range, as one chunk (more only where the sample kind changes or a histogram
   * appender must cut), as Prometheus re-encodes a chunk it trims.
   */
  static void encodeOneChunk(SeriesSamples s, int from, int to, ChunkedSeries.Builder out) {
    encode(s, from, to, new SeriesToChunkEncoder(Integer.MAX_VALUE), out);
  }

  private static void encode(SeriesSamples s, int from, int to, SeriesToChunkEncoder enc, ChunkedSeries.Builder out) {
    out.addAllChunks(chunks(s, from, to, enc));
  }

  /** The samples {@code from} (inclusive) to {@code to} (exclusive) as chunks cut at 120 samples. */
  static java.util.List<Chunk> chunks(SeriesSamples s, int from, int to) {
    return chunks(s, from, to, new SeriesToChunkEncoder());
  }

  /** The samples {@code from} (inclusive) to {@code to} (exclusive) as one chunk (see {@link #encodeOneChunk}). */
  static java.util.List<Chunk> oneChunk(SeriesSamples s, int from, int to) {
    return chunks(s, from, to, new SeriesToChunkEncoder(Integer.MAX_VALUE));
  }

  private static java.util.List<Chunk> chunks(SeriesSamples s, int from, int to, SeriesToChunkEncoder enc) {
    java.util.List<Chunk> out = new java.util.ArrayList<>();
    if (from >= to) {
      return out;
    }
    for (int i = from; i < to; i++) {
      switch (s.types[i]) {
        case FLOAT -> enc.appendFloat(s.ts[i], s.vs[i]);
        case HISTOGRAM -> enc.appendHistogram(s.ts[i], s.hs[i].copy());
        case FLOAT_HISTOGRAM -> enc.appendFloatHistogram(s.ts[i], s.fhs[i].copy());
        default -> throw new IllegalStateException("BUG: sample of type " + s.types[i]);
      }
    }
    for (SeriesToChunkEncoder.EncodedChunk c : enc.finish()) {
      Chunk.Encoding type = switch (c.encoding()) {
        case XOR -> Chunk.Encoding.XOR;
        case HISTOGRAM -> Chunk.Encoding.HISTOGRAM;
        case FLOAT_HISTOGRAM -> Chunk.Encoding.FLOAT_HISTOGRAM;
        default -> throw new IllegalStateException("BUG: chunk encoding " + c.encoding());
      };
      out.add(Chunk.newBuilder().setMinTimeMs(c.minT()).setMaxTimeMs(c.maxT()).setType(type)
          .setData(ByteString.copyFrom(c.data())).build());
    }
    return out;
  }
}
