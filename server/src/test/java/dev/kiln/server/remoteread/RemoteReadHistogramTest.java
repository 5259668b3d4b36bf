package dev.kiln.server.remoteread;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.CodedInputStream;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.Chunk;
import dev.kiln.server.remotewrite.proto.v1.ChunkedReadResponse;
import dev.kiln.server.remotewrite.proto.v1.ChunkedSeries;
import dev.kiln.server.remotewrite.proto.v1.LabelMatcher;
import dev.kiln.server.remotewrite.proto.v1.Query;
import dev.kiln.server.remotewrite.proto.v1.ReadRequest;
import dev.kiln.server.remotewrite.proto.v1.ReadResponse;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.HistogramChunk;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Remote read of series holding native histograms: seeded random series that switch between
 * floats, integer histograms (with counter resets) and float histograms are read in both response
 * types and must come back sample for sample, against the stored samples as the oracle.
 */
class RemoteReadHistogramTest {
  private static final Labels SERIES = Labels.of("__name__", "mixed", "job", "a");

  /** The stored samples, as text, in time order. */
  private final List<String> oracle = new ArrayList<>();

  private RemoteReadHandler handler(long seed) {
    Random rnd = new Random(seed);
    InMemoryStorage storage = new InMemoryStorage();
    Appender a = storage.appender();
    long count = 0;
    for (int i = 0; i < 400; i++) {
      long t = 1000L * i;
      int kind = (i / 50) % 3;
      if (kind == 0) {
        double v = rnd.nextInt(1000);
        a.append(0, SERIES, t, v);
        oracle.add(t + " " + v);
      } else if (kind == 1) {
        count = rnd.nextInt(20) == 0 ? 0 : count + rnd.nextInt(4);
        Histogram h = new Histogram();
        h.schema = 1;
        h.count = count;
        h.sum = count * 1.5;
        h.positiveSpans = new Span[] {new Span(0, 1)};
        h.positiveBuckets = new long[] {count};
        a.appendHistogram(0, SERIES, t, h, null, AppendOptions.NONE);
        oracle.add(t + " " + h.toFloat(null));
      } else {
        FloatHistogram fh = new FloatHistogram();
        fh.schema = 0;
        fh.count = i + 0.5;
        fh.sum = i;
        fh.zeroCount = 0.5;
        fh.positiveSpans = new Span[] {new Span(2, 1)};
        fh.positiveBuckets = new double[] {i};
        a.appendHistogram(0, SERIES, t, null, fh, AppendOptions.NONE);
        oracle.add(t + " " + fh);
      }
    }
    a.commit();
    return new RemoteReadHandler(storage, () -> Labels.EMPTY);
  }

  private static byte[] request(ReadRequest.ResponseType type) throws Exception {
    return Snappy.compress(ReadRequest.newBuilder().addQueries(Query.newBuilder().setStartTimestampMs(0)
            .setEndTimestampMs(1_000_000)
            .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("mixed")))
        .addAcceptedResponseTypes(type).build().toByteArray());
  }

  @Test
  void samplesModeCarriesHistogramsBesideFloats() throws Exception {
    for (long seed = 1; seed <= 3; seed++) {
      oracle.clear();
      Response r = handler(seed).handle(new Request("POST", "/api/v1/read", Map.of(), Map.of(),
          request(ReadRequest.ResponseType.SAMPLES)));
      TimeSeries ts = ReadResponse.parseFrom(Snappy.uncompress(r.body())).getResults(0).getTimeseries(0);
      List<String> got = new ArrayList<>();
      ts.getSamplesList().forEach(s -> got.add(s.getTimestamp() + " " + s.getValue()));
      for (var h : ts.getHistogramsList()) {
        got.add(h.getTimestamp() + " " + toFloat(h));
      }
      got.sort((x, y) -> Long.compare(Long.parseLong(x.split(" ")[0]), Long.parseLong(y.split(" ")[0])));
      assertEquals(oracle, got, "seed " + seed);
    }
  }

  @Test
  void streamedModeCutsChunksOnKindChangeCounterResetAnd120Samples() throws Exception {
    for (long seed = 1; seed <= 3; seed++) {
      oracle.clear();
      Response r = handler(seed).handle(new Request("POST", "/api/v1/read", Map.of(), Map.of(),
          request(ReadRequest.ResponseType.STREAMED_XOR_CHUNKS)));
      CodedInputStream in = CodedInputStream.newInstance(r.body());
      List<ChunkedSeries> series = new ArrayList<>();
      while (!in.isAtEnd()) {
        int len = in.readRawVarint32();
        in.readRawBytes(4);
        series.addAll(ChunkedReadResponse.parseFrom(in.readRawBytes(len)).getChunkedSeriesList());
      }
      assertEquals(1, series.size());
      List<String> got = new ArrayList<>();
      for (Chunk c : series.get(0).getChunksList()) {
        byte[] data = c.getData().toByteArray();
        SampleIterator it = switch (c.getType()) {
          case XOR -> XorChunk.fromBytes(data).iterator(null);
          case HISTOGRAM -> HistogramChunk.fromBytes(ChunkEncoding.HISTOGRAM, data).iterator(null);
          default -> HistogramChunk.fromBytes(ChunkEncoding.FLOAT_HISTOGRAM, data).iterator(null);
        };
        long first = -1;
        long last = -1;
        int n = 0;
        for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
          first = first < 0 ? it.atT() : first;
          last = it.atT();
          n++;
          got.add(it.atT() + " " + (vt == ValueType.FLOAT ? Double.toString(it.atV()) : it.atFloatHistogram(null).toString()));
        }
        assertEquals(c.getMinTimeMs(), first);
        assertEquals(c.getMaxTimeMs(), last);
        assertEquals(true, n <= 120, "at most 120 samples per chunk");
      }
      assertEquals(oracle, got, "seed " + seed);
    }
  }

  private static String toFloat(dev.kiln.server.remotewrite.proto.v1.Histogram h) {
    FloatHistogram fh = new FloatHistogram();
    fh.schema = h.getSchema();
    fh.sum = h.getSum();
    fh.zeroThreshold = h.getZeroThreshold();
    fh.count = h.hasCountInt() ? h.getCountInt() : h.getCountFloat();
    fh.zeroCount = h.hasZeroCountInt() ? h.getZeroCountInt() : h.getZeroCountFloat();
    fh.positiveSpans = h.getPositiveSpansList().stream().map(s -> new Span(s.getOffset(), s.getLength())).toArray(Span[]::new);
    double[] counts = new double[h.hasCountInt() ? h.getPositiveDeltasCount() : h.getPositiveCountsCount()];
    long acc = 0;
    for (int i = 0; i < counts.length; i++) {
      if (h.hasCountInt()) {
        acc += h.getPositiveDeltas(i);
        counts[i] = acc;
      } else {
        counts[i] = h.getPositiveCounts(i);
      }
    }
    fh.positiveBuckets = counts;
    fh.counterResetHint = dev.kiln.tsdb.histogram.CounterResetHint.of(h.getResetHint());
    return fh.toString();
  }
}
