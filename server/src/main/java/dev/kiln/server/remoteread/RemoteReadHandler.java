package dev.kiln.server.remoteread;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.server.http.Handler;
import dev.kiln.server.remote.HistogramProtos;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Query;
import dev.kiln.server.remotewrite.proto.v1.QueryResult;
import dev.kiln.server.remotewrite.proto.v1.ReadRequest;
import dev.kiln.server.remotewrite.proto.v1.ReadResponse;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.xerial.snappy.Snappy;

/**
 * {@code POST /api/v1/read}: Prometheus's remote read. Each query's matchers select series over
 * its time range; the answer is either a snappy-compressed {@code ReadResponse} of raw samples
 * ({@code SAMPLES}: floats as samples, native histograms as {@code prometheus.Histogram}s) or a
 * stream of {@code ChunkedReadResponse} frames of chunks ({@code STREAMED_XOR_CHUNKS}: XOR,
 * histogram and float-histogram chunks, stored ones as stored where they lie within the range, see
 * {@link StoredChunks}), whichever comes first in the client's accepted types. As
 * Prometheus does, the server's external labels are added to every returned series, and an
 * equality matcher on an external label with its value matches series that lack the label.
 */
public final class RemoteReadHandler implements Handler {
  /** Prometheus's default {@code --storage.remote.read-sample-limit}. */
  static final long SAMPLE_LIMIT = 50_000_000;

  private final Queryable storage;
  private final Supplier<Labels> externalLabels;

  public RemoteReadHandler(Queryable storage, Supplier<Labels> externalLabels) {
    this.storage = storage;
    this.externalLabels = externalLabels;
  }

  @Override
  public Response handle(Request r) {
    ReadRequest req;
    try {
      req = ReadRequest.parseFrom(Snappy.uncompress(r.body()));
    } catch (InvalidProtocolBufferException e) {
      return Response.text(400, "proto unmarshal error: " + e.getMessage() + "\n");
    } catch (IOException | RuntimeException e) {
      // Go's snappy error text, as Prometheus answers.
      return Response.text(400, "snappy: corrupt input\n");
    }
    Labels external = externalLabels.get();
    List<ReadRequest.ResponseType> accepted = req.getAcceptedResponseTypesList();
    boolean chunked = !accepted.isEmpty() && accepted.get(0) == ReadRequest.ResponseType.STREAMED_XOR_CHUNKS;
    try {
      if (chunked) {
        ChunkedResponseWriter out = new ChunkedResponseWriter();
        for (int i = 0; i < req.getQueriesCount(); i++) {
          out.startQuery(i, req.getQueries(i).getStartTimestampMs(), req.getQueries(i).getEndTimestampMs());
          select(req.getQueries(i), external, out::series);
          out.endQuery();
        }
        return new Response(200, ChunkedResponseWriter.CONTENT_TYPE, out.toBytes(), new java.util.LinkedHashMap<>());
      }
      ReadResponse.Builder resp = ReadResponse.newBuilder();
      long[] total = {0};
      for (Query q : req.getQueriesList()) {
        QueryResult.Builder result = QueryResult.newBuilder();
        select(q, external, (labels, samples) -> {
          total[0] += samples.n;
          if (total[0] > SAMPLE_LIMIT) {
            throw new LimitException("exceeded sample limit (" + SAMPLE_LIMIT + ")");
          }
          result.addTimeseries(timeSeries(labels, samples));
        });
        resp.addResults(result);
      }
      return new Response(200, "application/x-protobuf", Snappy.compress(resp.build().toByteArray()),
          new java.util.LinkedHashMap<>()).withHeader("Content-Encoding", "snappy");
    } catch (LimitException | IllegalArgumentException e) {
      return Response.text(400, e.getMessage() + "\n");
    } catch (StorageException | IOException e) {
      return Response.text(500, e.getMessage() + "\n");
    }
  }

  /** Receives one selected series: its labels and samples (valid during the call only). */
  interface SeriesConsumer {
    void accept(Labels labels, SeriesSamples samples) throws IOException;
  }

  private void select(Query q, Labels external, SeriesConsumer consumer) throws IOException {
    List<LabelMatcher> matchers = new ArrayList<>();
    for (dev.kiln.server.remotewrite.proto.v1.LabelMatcher m : q.getMatchersList()) {
      LabelMatcher.Type type = switch (m.getType()) {
        case EQ -> LabelMatcher.Type.EQUAL;
        case NEQ -> LabelMatcher.Type.NOT_EQUAL;
        case RE -> LabelMatcher.Type.REGEX;
        case NRE -> LabelMatcher.Type.NOT_REGEX;
        default -> throw new IllegalArgumentException("unknown label matcher type " + m.getTypeValue());
      };
      String value = m.getValue();
      if (type == LabelMatcher.Type.EQUAL && external.has(m.getName()) && external.get(m.getName()).equals(value)) {
        value = "";
      }
      matchers.add(LabelMatcher.of(type, m.getName(), value));
    }
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException("no matchers in remote read query");
    }
    long start = q.getStartTimestampMs();
    long end = q.getEndTimestampMs();
    SeriesSamples samples = new SeriesSamples();
    try (Querier querier = storage.querier(start, end)) {
      SeriesSet set = querier.select(true, new SelectHints(start, end, 0, 0, null, List.of(), false),
          matchers.toArray(new LabelMatcher[0]));
      SampleIterator it = null;
      while (set.next()) {
        it = set.at().iterator(it);
        samples.clear();
        samples.stored = set.at().storedChunks();
        for (ValueType vt = it.seek(start); vt != ValueType.NONE && it.atT() <= end; vt = it.next()) {
          samples.add(it, vt);
        }
        if (samples.n > 0) {
          consumer.accept(withExternal(set.at().labels(), external), samples);
        }
      }
    }
  }

  /** The series' labels with the external labels it lacks. */
  private static Labels withExternal(Labels labels, Labels external) {
    if (external.isEmpty()) {
      return labels;
    }
    Labels.Builder b = labels.toBuilder();
    for (int i = 0; i < external.size(); i++) {
      if (!labels.has(external.name(i))) {
        b.set(external.name(i), external.value(i));
      }
    }
    return b.build();
  }

  static List<Label> labelProtos(Labels labels) {
    List<Label> out = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      out.add(Label.newBuilder().setName(labels.name(i)).setValue(labels.value(i)).build());
    }
    return out;
  }

  /** A series as Prometheus's {@code ToQueryResult} sends it: floats in samples, native histograms in histograms. */
  private static TimeSeries timeSeries(Labels labels, SeriesSamples s) {
    TimeSeries.Builder b = TimeSeries.newBuilder().addAllLabels(labelProtos(labels));
    for (int i = 0; i < s.n; i++) {
      switch (s.types[i]) {
        case FLOAT -> b.addSamples(Sample.newBuilder().setTimestamp(s.ts[i]).setValue(s.vs[i]));
        case HISTOGRAM -> b.addHistograms(HistogramProtos.of(s.ts[i], s.hs[i]));
        case FLOAT_HISTOGRAM -> b.addHistograms(HistogramProtos.of(s.ts[i], s.fhs[i]));
        default -> throw new IllegalStateException("BUG: sample of type " + s.types[i]);
      }
    }
    return b.build();
  }

  private static final class LimitException extends RuntimeException {
    LimitException(String message) {
      super(message, null, false, false);
    }
  }
}
