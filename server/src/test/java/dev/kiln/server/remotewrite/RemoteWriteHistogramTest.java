package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.BucketSpan;
import dev.kiln.server.remotewrite.proto.v1.Histogram;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.histogram.CounterResetHint;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Native histograms in remote write 1.0 ({@code histograms}, field 4) and 2.0 requests. */
class RemoteWriteHistogramTest {
  private final Head head = Head.inMemory();
  private final RemoteWriteHandler handler = new RemoteWriteHandler(head, Clock.systemUTC(), new RemoteWriteStats());

  private Response post(byte[] body, String contentType) throws Exception {
    return handler.handle(new Request("POST", "/api/v1/write", Map.of(), Map.of("content-type", contentType),
        Snappy.compress(body)));
  }

  /** count 6 = zero 1 + buckets 2, 3 (deltas 2, 1) in spans [-1,2]; schema 1. */
  static Histogram intHistogram(long t, int reset) {
    return Histogram.newBuilder().setCountInt(6).setZeroCountInt(1).setSum(7.5).setSchema(1)
        .setZeroThreshold(0.001).addPositiveSpans(BucketSpan.newBuilder().setOffset(-1).setLength(2))
        .addPositiveDeltas(2).addPositiveDeltas(1).setResetHint(reset).setTimestamp(t).build();
  }

  static Histogram floatHistogram(long t) {
    return Histogram.newBuilder().setCountFloat(2.5).setZeroCountFloat(0.5).setSum(-1).setSchema(0)
        .addNegativeSpans(BucketSpan.newBuilder().setOffset(2).setLength(1)).addNegativeCounts(2)
        .setResetHint(3).setTimestamp(t).build();
  }

  private List<String> read(String name) {
    List<String> out = new ArrayList<>();
    try (Querier q = head.querier(0, Long.MAX_VALUE)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", name));
      while (set.next()) {
        SampleIterator it = set.at().iterator(null);
        ValueType vt;
        while ((vt = it.next()) != ValueType.NONE) {
          out.add(it.atT() + " " + vt + " " + switch (vt) {
            case HISTOGRAM -> it.atHistogram(null).toString();
            case FLOAT_HISTOGRAM -> it.atFloatHistogram(null).toString();
            default -> Double.toString(it.atV());
          });
        }
      }
    }
    return out;
  }

  @Test
  void v1StoresIntegerAndFloatHistograms() throws Exception {
    WriteRequest wr = WriteRequest.newBuilder()
        .addTimeseries(TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("rpc_seconds"))
            .addHistograms(intHistogram(1000, 0)).addHistograms(intHistogram(2000, 2)))
        .addTimeseries(TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("fill"))
            .addHistograms(floatHistogram(1000)))
        .build();
    Response r = post(wr.toByteArray(), "application/x-protobuf");
    assertEquals(204, r.status(), new String(r.body()));
    List<String> got = read("rpc_seconds");
    assertEquals(2, got.size(), got.toString());
    dev.kiln.tsdb.histogram.Histogram want = new dev.kiln.tsdb.histogram.Histogram();
    want.schema = 1;
    want.zeroThreshold = 0.001;
    want.zeroCount = 1;
    want.count = 6;
    want.sum = 7.5;
    want.positiveSpans = new Span[] {new Span(-1, 2)};
    want.positiveBuckets = new long[] {2, 1};
    assertEquals("1000 HISTOGRAM " + want, got.get(0));
    try (Querier q = head.querier(0, Long.MAX_VALUE)) {
      SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", "fill"));
      set.next();
      SampleIterator it = set.at().iterator(null);
      assertEquals(ValueType.FLOAT_HISTOGRAM, it.next());
      FloatHistogram fh = it.atFloatHistogram(null);
      assertEquals(CounterResetHint.GAUGE, fh.counterResetHint);
      assertEquals(2.5, fh.count);
      assertEquals(0.5, fh.zeroCount);
      assertEquals(List.of(new Span(2, 1)), List.of(fh.negativeSpans));
      assertEquals(2.0, fh.negativeBuckets[0]);
    }
  }

  @Test
  void v1RejectsAnInvalidHistogramWithPrometheusText() throws Exception {
    // Prometheus 3.x's receiver (since its remoteapi handler: isHistogramValidationError) answers 400
    // and rolls the 1.0 request back; 3.0 to 3.6 answered 500 (see docs/http-api.md).
    Histogram bad = intHistogram(1000, 0).toBuilder().setCountInt(2).build();
    WriteRequest wr = WriteRequest.newBuilder()
        .addTimeseries(TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("good"))
            .addHistograms(intHistogram(1000, 0)))
        .addTimeseries(TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("bad"))
            .addHistograms(bad))
        .build();
    Response r = post(wr.toByteArray(), "application/x-protobuf");
    assertEquals(400, r.status());
    assertTrue(new String(r.body()).contains("observations found in buckets"), new String(r.body()));
    assertEquals(List.of(), read("bad"));
    assertEquals(List.of(), read("good"), "1.0 is all or nothing");
  }

  @Test
  void v2WritesTheRestAndNamesAnInvalidHistogramInA400() throws Exception {
    String v2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    var bad = dev.kiln.server.remotewrite.proto.v2.Histogram.parseFrom(intHistogram(1000, 0).toBuilder().setCountInt(2).build().toByteArray());
    var good = dev.kiln.server.remotewrite.proto.v2.Histogram.parseFrom(intHistogram(1000, 0).toByteArray());
    var req = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "bad", "good"))
        .addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2)).addHistograms(bad))
        .addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 3)).addHistograms(good));
    Response r = post(req.build().toByteArray(), v2);
    assertEquals(400, r.status(), new String(r.body()));
    assertTrue(new String(r.body()).contains("observations found in buckets"), new String(r.body()));
    assertEquals("1", r.headers().get("X-Prometheus-Remote-Write-Histograms-Written"));
    assertEquals(List.of(), read("bad"));
    assertEquals(1, read("good").size());
  }

  @Test
  void v2StoresHistogramsAndReportsThem() throws Exception {
    String v2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    // The same field numbers as 1.0's Histogram message.
    var first = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "h"))
        .addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2))
            .addHistograms(dev.kiln.server.remotewrite.proto.v2.Histogram.parseFrom(intHistogram(1500, 0).toByteArray())));
    Response ok = post(first.build().toByteArray(), v2);
    assertEquals(204, ok.status(), new String(ok.body()));
    assertEquals("1", ok.headers().get("X-Prometheus-Remote-Write-Histograms-Written"));
    var ts = dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2));
    ts.addHistograms(dev.kiln.server.remotewrite.proto.v2.Histogram.parseFrom(intHistogram(2000, 0).toByteArray()));
    ts.addHistograms(dev.kiln.server.remotewrite.proto.v2.Histogram.parseFrom(intHistogram(1000, 0).toByteArray()));
    var req = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "h"))
        .addTimeseries(ts);
    Response r = post(req.build().toByteArray(), v2);
    assertEquals(400, r.status(), "the second histogram is older than the stored one");
    assertTrue(new String(r.body()).contains("out of order"), new String(r.body()));
    assertEquals("1", r.headers().get("X-Prometheus-Remote-Write-Histograms-Written"));
    assertEquals("0", r.headers().get("X-Prometheus-Remote-Write-Samples-Written"));
    assertEquals(2, read("h").size());
  }
}
