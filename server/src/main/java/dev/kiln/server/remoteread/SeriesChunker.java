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
    SeriesToChunkEncoder enc = new SeriesToChunkEncoder();
    for (int i = 0; i < s.n; i++) {
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
      out.addChunks(Chunk.newBuilder().setMinTimeMs(c.minT()).setMaxTimeMs(c.maxT()).setType(type)
          .setData(ByteString.copyFrom(c.data())));
    }
  }
}
