package dev.kiln.server.remoteread;

import com.google.protobuf.CodedOutputStream;
import dev.kiln.server.remotewrite.proto.v1.ChunkedReadResponse;
import dev.kiln.server.remotewrite.proto.v1.ChunkedSeries;
import dev.kiln.tsdb.model.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Writes remote read's {@code STREAMED_XOR_CHUNKS} answer: frames of
 * uvarint(length) + big-endian CRC-32C of the message + a {@code ChunkedReadResponse}, each
 * holding the series of one query that fit in about 1 MiB, each series as its stored chunks where
 * they lie within the queried range and re-encoded chunks elsewhere ({@link StoredChunks}).
 */
final class ChunkedResponseWriter {
  static final String CONTENT_TYPE = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
  private static final int FRAME_BYTES = 1 << 20;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private ChunkedReadResponse.Builder frame = ChunkedReadResponse.newBuilder();
  private int frameBytes;
  private int queryIndex;
  private long start;
  private long end;

  /** Starts the series of query {@code index}, which reads [start, end]. */
  void startQuery(int index, long start, long end) {
    queryIndex = index;
    this.start = start;
    this.end = end;
    frame = ChunkedReadResponse.newBuilder().setQueryIndex(index);
    frameBytes = 0;
  }

  void series(Labels labels, SeriesSamples samples) throws IOException {
    ChunkedSeries.Builder s = ChunkedSeries.newBuilder().addAllLabels(RemoteReadHandler.labelProtos(labels));
    StoredChunks.add(samples, start, end, s);
    ChunkedSeries built = s.build();
    frame.addChunkedSeries(built);
    frameBytes += built.getSerializedSize();
    if (frameBytes >= FRAME_BYTES) {
      flushFrame();
    }
  }

  /** Ends the current query: its remaining series go out in a last frame. */
  void endQuery() throws IOException {
    if (frame.getChunkedSeriesCount() > 0) {
      flushFrame();
    }
  }

  private void flushFrame() throws IOException {
    writeFrame(frame.build());
    frame = ChunkedReadResponse.newBuilder().setQueryIndex(queryIndex);
    frameBytes = 0;
  }

  private void writeFrame(ChunkedReadResponse msg) throws IOException {
    byte[] bytes = msg.toByteArray();
    CodedOutputStream header = CodedOutputStream.newInstance(out);
    header.writeUInt32NoTag(bytes.length);
    header.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    long c = crc.getValue();
    out.write((int) (c >>> 24));
    out.write((int) (c >>> 16));
    out.write((int) (c >>> 8));
    out.write((int) c);
    out.write(bytes);
  }

  byte[] toBytes() {
    return out.toByteArray();
  }
}
