package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SeriesSet;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class RemoteWriteProtocolTest {
  private final InMemoryStorage storage = new InMemoryStorage();
  private final RemoteWriteHandler handler = new RemoteWriteHandler(storage, Clock.systemUTC(), new RemoteWriteStats());

  private Response post(byte[] body, String contentType) throws Exception {
    Map<String, String> headers = contentType == null ? Map.of() : Map.of("content-type", contentType);
    return handler.handle(new Request("POST", "/api/v1/write", Map.of(), headers, Snappy.compress(body)));
  }

  private int series(String name) {
    int n = 0;
    try (Querier q = storage.querier(0, Long.MAX_VALUE)) {
      SeriesSet s = q.select(true, null, LabelMatcher.equal("__name__", name));
      while (s.next()) {
        n++;
      }
    }
    return n;
  }

  private static TimeSeries v1(String name, long... ts) {
    TimeSeries.Builder b = TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(name));
    for (long t : ts) {
      b.addSamples(Sample.newBuilder().setTimestamp(t).setValue(1));
    }
    return b.build();
  }

  @Test
  void decodesTheSpecsWorkedV2Example() throws Exception {
    // The contract's hand-encoded example: up{job="api"} 1 @ 1700000000000 with gauge metadata.
    String hex = "2200" + "2208" + HexFormat.of().formatHex("__name__".getBytes()) + "2202" + HexFormat.of().formatHex("up".getBytes())
        + "2203" + HexFormat.of().formatHex("job".getBytes()) + "2203" + HexFormat.of().formatHex("api".getBytes())
        + "2a1c" + "0a0401020304" + "1210" + "09000000000000f03f" + "1080d095ffbc31" + "2a020802";
    byte[] body = HexFormat.of().parseHex(hex);
    assertEquals(56, body.length, "26 bytes of symbols and a 30-byte series");
    Response r = post(body, "application/x-protobuf;proto=io.prometheus.write.v2.Request");
    assertEquals(204, r.status());
    assertEquals("1", r.headers().get("X-Prometheus-Remote-Write-Samples-Written"));
    assertEquals(1, series("up"));
  }

  @Test
  void v2CommitsTheValidRestAndReportsIt() throws Exception {
    var first = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "a"));
    first.addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2))
        .addSamples(dev.kiln.server.remotewrite.proto.v2.Sample.newBuilder().setTimestamp(1500).setValue(1)));
    assertEquals(204, post(first.build().toByteArray(), "application/x-protobuf;proto=io.prometheus.write.v2.Request").status());
    var req = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "a", "b"));
    req.addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2))
        .addSamples(dev.kiln.server.remotewrite.proto.v2.Sample.newBuilder().setTimestamp(2000).setValue(1))
        .addSamples(dev.kiln.server.remotewrite.proto.v2.Sample.newBuilder().setTimestamp(1000).setValue(1)));
    req.addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 3))
        .addSamples(dev.kiln.server.remotewrite.proto.v2.Sample.newBuilder().setTimestamp(1000).setValue(1)));
    Response r = post(req.build().toByteArray(), "application/x-protobuf;proto=io.prometheus.write.v2.Request");
    assertEquals(400, r.status(), "one sample was older than the stored one");
    assertTrue(new String(r.body()).contains("out of order"), new String(r.body()));
    assertEquals("2", r.headers().get("X-Prometheus-Remote-Write-Samples-Written"));
    assertEquals(1, series("a"));
    assertEquals(1, series("b"));
    var bad = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__"))
        .addTimeseries(dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 7)));
    assertEquals(400, post(bad.build().toByteArray(), "application/x-protobuf;proto=io.prometheus.write.v2.Request").status());
  }

  @Test
  void v1IsAllOrNothing() throws Exception {
    assertEquals(204, post(WriteRequest.newBuilder().addTimeseries(v1("stored_series", 5000)).build().toByteArray(), null).status());
    WriteRequest wr = WriteRequest.newBuilder().addTimeseries(v1("ok_series", 1000, 2000)).addTimeseries(v1("stored_series", 4000)).build();
    Response r = post(wr.toByteArray(), "application/x-protobuf");
    assertEquals(400, r.status(), "a sample older than the stored one");
    assertEquals(0, series("ok_series"), "the whole 1.0 request is rolled back");
    assertEquals(204, post(WriteRequest.newBuilder().addTimeseries(v1("ok_series", 1000)).build().toByteArray(), null).status());
    assertEquals(1, series("ok_series"));
    WriteRequest inRequest = WriteRequest.newBuilder().addTimeseries(v1("in_request", 2000, 1000)).build();
    assertEquals(204, post(inRequest.toByteArray(), null).status(), "out of order within one request: dropped, as Prometheus does");
    long future = System.currentTimeMillis() + 3_600_000;
    assertEquals(400, post(WriteRequest.newBuilder().addTimeseries(v1("future", future)).build().toByteArray(), null).status());
  }

  @Test
  void contentNegotiation() throws Exception {
    byte[] body = WriteRequest.newBuilder().addTimeseries(v1("x", 1000)).build().toByteArray();
    assertEquals(415, post(body, "application/json").status());
    assertEquals(415, post(body, "application/x-protobuf;proto=something.Else").status());
    assertEquals(204, post(body, "application/x-protobuf;proto=prometheus.WriteRequest").status());
    Response enc = handler.handle(new Request("POST", "/api/v1/write", Map.of(), Map.of("content-encoding", "zstd"), Snappy.compress(body)));
    assertEquals(415, enc.status());
  }
}
