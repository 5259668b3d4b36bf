package dev.kiln.server.remoteread;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.Chunk;
import dev.kiln.server.remotewrite.proto.v1.ChunkedReadResponse;
import dev.kiln.server.remotewrite.proto.v1.LabelMatcher;
import dev.kiln.server.remotewrite.proto.v1.Query;
import dev.kiln.server.remotewrite.proto.v1.ReadRequest;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StoredChunk;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Streamed remote read sends the chunks the head stored where they lie within the queried range
 * and re-encodes the rest, as Prometheus's chunk querier does. The head cuts its chunks by time
 * (Prometheus's {@code computeChunkEndTime}: 117 samples here), re-encoding by count (120), so the
 * two are told apart.
 */
class StoredChunksTest {
  private final Head head = Head.inMemory();

  StoredChunksTest() {
    Appender a = head.appender();
    for (int i = 0; i < 300; i++) {
      a.append(0, Labels.of("__name__", "x", "job", "a"), i * 1000L, i * 0.5);
    }
    a.commit();
  }

  private List<StoredChunk> stored() {
    try (Querier q = head.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, dev.kiln.tsdb.model.LabelMatcher.equal("__name__", "x"));
      assertTrue(s.next());
      return s.at().storedChunks();
    }
  }

  private List<Chunk> read(long start, long end) throws Exception {
    ReadRequest req = ReadRequest.newBuilder().addQueries(Query.newBuilder().setStartTimestampMs(start)
            .setEndTimestampMs(end)
            .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("x")))
        .addAcceptedResponseTypes(ReadRequest.ResponseType.STREAMED_XOR_CHUNKS).build();
    Response r = new RemoteReadHandler(head, () -> Labels.EMPTY).handle(new Request("POST", "/api/v1/read", Map.of(),
        Map.of(), Snappy.compress(req.toByteArray())));
    assertEquals(200, r.status());
    CodedInputStream in = CodedInputStream.newInstance(r.body());
    List<Chunk> out = new ArrayList<>();
    while (!in.isAtEnd()) {
      int len = in.readRawVarint32();
      in.readRawBytes(4);
      ChunkedReadResponse.parseFrom(in.readRawBytes(len)).getChunkedSeriesList().forEach(s -> out.addAll(s.getChunksList()));
    }
    return out;
  }

  private static List<Long> times(List<Chunk> chunks) {
    List<Long> out = new ArrayList<>();
    for (Chunk c : chunks) {
      SampleIterator it = XorChunk.fromBytes(c.getData().toByteArray()).iterator(null);
      while (it.next() != ValueType.NONE) {
        out.add(it.atT());
      }
    }
    return out;
  }

  @Test
  void completeChunksWithinTheRangeAreSentAsStored() throws Exception {
    List<StoredChunk> stored = stored();
    assertTrue(stored.size() >= 3, "the head cut the series into chunks: " + stored.size());
    assertNull(stored.get(stored.size() - 1).data(), "the open chunk is not given as stored");
    List<Chunk> got = read(0, 400_000);
    for (int i = 0; i < stored.size() - 1; i++) {
      StoredChunk s = stored.get(i);
      assertEquals(s.minTime(), got.get(i).getMinTimeMs());
      assertEquals(s.maxTime(), got.get(i).getMaxTimeMs());
      assertArrayEquals(s.data(), got.get(i).getData().toByteArray(), "chunk " + i + " as stored");
    }
    assertNotEquals(120, XorChunk.fromBytes(got.get(0).getData().toByteArray()).numSamples(),
        "the head's cut, not the re-encoder's");
    assertEquals(300, times(got).size());
  }

  @Test
  void chunksReachingBeyondTheRangeAreReEncodedFromTheirSamplesInIt() throws Exception {
    List<StoredChunk> stored = stored();
    long start = stored.get(0).minTime() + 10_000;
    long end = stored.get(2).minTime() + 5_000;
    List<Chunk> got = read(start, end);
    assertEquals(start, got.get(0).getMinTimeMs(), "the first chunk starts at the range");
    assertEquals(stored.get(0).maxTime(), got.get(0).getMaxTimeMs());
    assertArrayEquals(stored.get(1).data(), got.get(1).getData().toByteArray(), "the middle chunk as stored");
    assertEquals(end, got.get(got.size() - 1).getMaxTimeMs());
    List<Long> want = new ArrayList<>();
    for (long t = start; t <= end; t += 1000) {
      want.add(t);
    }
    assertEquals(want, times(got));
  }
}
