package dev.kiln.server.remoteread;

import com.google.protobuf.ByteString;
import dev.kiln.server.remotewrite.proto.v1.Chunk;
import dev.kiln.server.remotewrite.proto.v1.ChunkedSeries;
import dev.kiln.tsdb.chunk.ChunkAppender;
import dev.kiln.tsdb.chunk.FloatHistogramAppender;
import dev.kiln.tsdb.chunk.HistogramAppender;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.storage.ValueType;

/**
 * Encodes one series' samples into TSDB chunks for streamed remote read, as Prometheus's
 * {@code storage.seriesToChunkEncoder} does: a new chunk whenever the sample kind changes (XOR for
 * floats, histogram, float histogram) or the chunk holds 120 samples, and whenever the histogram
 * appender cuts one (counter reset, schema or zero-threshold change); a chunk the appender
 * re-encoded with a wider bucket layout replaces the one it came from. Single-use.
 */
final class SeriesChunker {
  private static final int SPLIT = 120;

  private final ChunkedSeries.Builder out;
  private ValueType kind = ValueType.NONE;
  private XorChunk xor;
  private ChunkAppender xorApp;
  private HistogramAppender hApp;
  private FloatHistogramAppender fhApp;
  private long minT;
  private long maxT;
  private int count;

  SeriesChunker(ChunkedSeries.Builder out) {
    this.out = out;
  }

  void encode(SeriesSamples s) {
    for (int i = 0; i < s.n; i++) {
      ValueType type = s.types[i];
      long t = s.ts[i];
      if (type != kind || count >= SPLIT) {
        finish();
        start(type, t);
      }
      switch (type) {
        case FLOAT -> xorApp.append(t, s.vs[i]);
        case HISTOGRAM -> {
          HistogramAppender next = hApp.append(null, t, s.hs[i].copy());
          if (next != hApp) {
            if (!next.recoded()) {
              finish();
              minT = t;
              count = 0;
            }
            hApp = next;
          }
        }
        case FLOAT_HISTOGRAM -> {
          FloatHistogramAppender next = fhApp.append(null, t, s.fhs[i].copy());
          if (next != fhApp) {
            if (!next.recoded()) {
              finish();
              minT = t;
              count = 0;
            }
            fhApp = next;
          }
        }
        default -> throw new IllegalStateException("BUG: sample of type " + type);
      }
      maxT = t;
      count++;
    }
    finish();
  }

  private void start(ValueType type, long t) {
    kind = type;
    minT = t;
    count = 0;
    switch (type) {
      case FLOAT -> {
        xor = new XorChunk();
        xorApp = xor.appender();
      }
      case HISTOGRAM -> hApp = HistogramAppender.create();
      case FLOAT_HISTOGRAM -> fhApp = FloatHistogramAppender.create();
      default -> throw new IllegalStateException("BUG: sample of type " + type);
    }
  }

  /** Adds the current chunk to the series, when it holds samples. */
  private void finish() {
    byte[] data;
    Chunk.Encoding encoding;
    switch (kind) {
      case FLOAT -> {
        data = xor.numSamples() == 0 ? null : xor.bytes();
        encoding = Chunk.Encoding.XOR;
      }
      case HISTOGRAM -> {
        data = hApp.numSamples() == 0 ? null : hApp.chunk().bytes();
        encoding = Chunk.Encoding.HISTOGRAM;
      }
      case FLOAT_HISTOGRAM -> {
        data = fhApp.numSamples() == 0 ? null : fhApp.chunk().bytes();
        encoding = Chunk.Encoding.FLOAT_HISTOGRAM;
      }
      default -> {
        return;
      }
    }
    if (data != null) {
      out.addChunks(Chunk.newBuilder().setMinTimeMs(minT).setMaxTimeMs(maxT).setType(encoding)
          .setData(ByteString.copyFrom(data)));
    }
  }
}
