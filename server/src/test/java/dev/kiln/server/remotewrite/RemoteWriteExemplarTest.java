package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v2.Exemplar;
import dev.kiln.server.remotewrite.proto.v2.Sample;
import dev.kiln.server.remotewrite.proto.v2.TimeSeries;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** Remote write 2.0 exemplars (Prometheus 2.42 has no 2.0 receiver to compare with; 1.0 is in ExemplarDifferentialTest). */
class RemoteWriteExemplarTest {
  private static final String V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
  @TempDir Path dir;
  private Db db;
  private RemoteWriteHandler handler;

  @BeforeEach
  void open() {
    db = Db.open(dir.resolve("d"), DbOptions.defaults());
    db.resizeExemplars(100);
    handler = new RemoteWriteHandler(db, Clock.systemUTC(), new RemoteWriteStats());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private Response post(byte[] body) throws Exception {
    return handler.handle(new Request("POST", "/api/v1/write", Map.of(), Map.of("content-type", V2), Snappy.compress(body)));
  }

  @Test
  void v2ExemplarsAreStoredAndCountedInTheHeader() throws Exception {
    long now = System.currentTimeMillis();
    var req = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder()
        .addAllSymbols(List.of("", "__name__", "req_total", "trace_id", "abc", "def", "job", "x"));
    req.addTimeseries(TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2, 6, 7))
        .addSamples(Sample.newBuilder().setTimestamp(now).setValue(3))
        .addExemplars(Exemplar.newBuilder().addAllLabelsRefs(List.of(3, 4)).setValue(0.5).setTimestamp(now - 10))
        .addExemplars(Exemplar.newBuilder().addAllLabelsRefs(List.of(3, 5)).setValue(0.7).setTimestamp(now - 5))
        .addExemplars(Exemplar.newBuilder().addAllLabelsRefs(List.of(3, 5)).setValue(0.7).setTimestamp(now - 20)));
    Response r = post(req.build().toByteArray());
    assertEquals(204, r.status(), new String(r.body()));
    // As Prometheus 3.x: the appender took all three (each checked against the stored ones only); the
    // third, older than the second, is rejected when the batch is stored.
    assertEquals("3", r.headers().get("X-Prometheus-Remote-Write-Exemplars-Written"));
    List<SeriesExemplars> got = db.exemplarQuerier().select(0, Long.MAX_VALUE, List.of(List.of(LabelMatcher.equal("job", "x"))));
    assertEquals(1, got.size());
    assertEquals(List.of(dev.kiln.tsdb.storage.Exemplar.of(Labels.of("trace_id", "abc"), 0.5, now - 10),
        dev.kiln.tsdb.storage.Exemplar.of(Labels.of("trace_id", "def"), 0.7, now - 5)), got.get(0).exemplars());
  }

  @Test
  void anExemplarReferenceOutOfRangeBreaksTheRequest() throws Exception {
    var req = dev.kiln.server.remotewrite.proto.v2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "a"));
    req.addTimeseries(TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2))
        .addSamples(Sample.newBuilder().setTimestamp(System.currentTimeMillis()).setValue(1))
        .addExemplars(Exemplar.newBuilder().addAllLabelsRefs(List.of(1, 9)).setValue(1)));
    assertEquals(400, post(req.build().toByteArray()).status());
  }
}
