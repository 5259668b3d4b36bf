package dev.kiln.server.remoteread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import dev.kiln.scraper.Peer;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.proto.v1.ChunkedReadResponse;
import dev.kiln.server.remotewrite.proto.v1.ChunkedSeries;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.LabelMatcher;
import dev.kiln.server.remotewrite.proto.v1.Query;
import dev.kiln.server.remotewrite.proto.v1.ReadRequest;
import dev.kiln.server.remotewrite.proto.v1.ReadResponse;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

class RemoteReadTest {
  @TempDir Path dir;

  private static RemoteReadHandler handlerWith300Samples() {
    InMemoryStorage storage = new InMemoryStorage();
    Appender a = storage.appender();
    for (int i = 0; i < 300; i++) {
      a.append(0, Labels.of("__name__", "x", "job", "a"), i * 1000L, i);
      a.append(0, Labels.of("__name__", "x", "job", "b"), i * 1000L, -i);
    }
    a.commit();
    return new RemoteReadHandler(storage, () -> Labels.of("cluster", "eu1"));
  }

  private static byte[] request(ReadRequest.ResponseType... types) throws Exception {
    ReadRequest req = ReadRequest.newBuilder().addQueries(Query.newBuilder().setStartTimestampMs(10_000)
            .setEndTimestampMs(250_000)
            .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("x"))
            .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("cluster").setValue("eu1"))
            .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("job").setValue("a|c")))
        .addAllAcceptedResponseTypes(List.of(types)).build();
    return Snappy.compress(req.toByteArray());
  }

  @Test
  void samplesResponseCarriesTheRangeWithExternalLabels() throws Exception {
    Response r = handlerWith300Samples().handle(new Request("POST", "/api/v1/read", Map.of(), Map.of(),
        request()));
    assertEquals(200, r.status());
    assertEquals("snappy", r.headers().get("Content-Encoding"));
    ReadResponse resp = ReadResponse.parseFrom(Snappy.uncompress(r.body()));
    assertEquals(1, resp.getResultsCount());
    TimeSeries ts = resp.getResults(0).getTimeseries(0);
    assertEquals(1, resp.getResults(0).getTimeseriesCount());
    assertEquals(List.of("__name__=x", "cluster=eu1", "job=a"),
        ts.getLabelsList().stream().map(l -> l.getName() + "=" + l.getValue()).toList());
    assertEquals(241, ts.getSamplesCount());
    assertEquals(10_000, ts.getSamples(0).getTimestamp());
    assertEquals(250.0, ts.getSamples(240).getValue());
  }

  @Test
  void streamedChunksDecodeToTheSameSamples() throws Exception {
    Response r = handlerWith300Samples().handle(new Request("POST", "/api/v1/read", Map.of(), Map.of(),
        request(ReadRequest.ResponseType.STREAMED_XOR_CHUNKS, ReadRequest.ResponseType.SAMPLES)));
    assertEquals(200, r.status());
    assertTrue(r.contentType().startsWith("application/x-streamed-protobuf"));
    CodedInputStream in = CodedInputStream.newInstance(r.body());
    List<ChunkedSeries> series = new ArrayList<>();
    while (!in.isAtEnd()) {
      int len = in.readRawVarint32();
      byte[] crc = in.readRawBytes(4);
      byte[] msg = in.readRawBytes(len);
      CRC32C c = new CRC32C();
      c.update(msg);
      long want = ((crc[0] & 0xffL) << 24) | ((crc[1] & 0xffL) << 16) | ((crc[2] & 0xffL) << 8) | (crc[3] & 0xffL);
      assertEquals(want, c.getValue(), "frame checksum");
      ChunkedReadResponse frame = ChunkedReadResponse.parseFrom(msg);
      assertEquals(0, frame.getQueryIndex());
      series.addAll(frame.getChunkedSeriesList());
    }
    assertEquals(1, series.size());
    assertEquals(3, series.get(0).getChunksCount(), "241 samples in chunks of at most 120");
    int n = 0;
    long expectT = 10_000;
    for (var chunk : series.get(0).getChunksList()) {
      SampleIterator it = XorChunk.fromBytes(chunk.getData().toByteArray()).iterator(null);
      while (it.next() != ValueType.NONE) {
        assertEquals(expectT, it.atT());
        assertEquals(expectT / 1000.0, it.atV());
        expectT += 1000;
        n++;
      }
    }
    assertEquals(241, n);
  }

  @Test
  void badBodiesAreRejected() {
    Response r = handlerWith300Samples().handle(new Request("POST", "/api/v1/read", Map.of(), Map.of(),
        "not snappy".getBytes(StandardCharsets.UTF_8)));
    assertEquals(400, r.status());
  }

  @Test
  void prometheusReadsKilnThroughRemoteRead() throws Exception {
    Path cfg = dir.resolve("kiln.yml");
    Files.writeString(cfg, "global: {scrape_interval: 15s}\n");
    try (KilnServer kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("kiln-data"), 15 * 86_400_000L, 0,
        "127.0.0.1", 0, true, false, false, 120_000, 50_000_000, 300_000, 4, ""))) {
      kiln.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!kiln.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String kilnUrl = "http://127.0.0.1:" + kiln.address().getPort();
      long now = System.currentTimeMillis() / 1000 * 1000;
      WriteRequest.Builder wr = WriteRequest.newBuilder();
      for (String job : List.of("a", "b")) {
        TimeSeries.Builder ts = TimeSeries.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("kiln_only_metric"))
            .addLabels(Label.newBuilder().setName("job").setValue(job));
        for (int i = 10; i >= 0; i--) {
          ts.addSamples(Sample.newBuilder().setTimestamp(now - i * 15_000L).setValue(job.equals("a") ? i : 100 + i));
        }
        wr.addTimeseries(ts);
      }
      HttpClient http = HttpClient.newHttpClient();
      assertEquals(204, http.send(HttpRequest.newBuilder(URI.create(kilnUrl + "/api/v1/write"))
          .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(wr.build().toByteArray()))).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      Path promCfg = dir.resolve("prometheus.yml");
      Files.writeString(promCfg, """
          global: {scrape_interval: 15s}
          remote_read:
            - url: %s/api/v1/read
              read_recent: true
          """.formatted(kilnUrl));
      try (Peer prometheus = Peer.start("prometheus", "/-/ready", "--config.file=" + promCfg,
          "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:{port}")) {
        String q = "sum by (job) (kiln_only_metric)";
        JsonNode fromPrometheus = query(http, "http://" + prometheus.address(), q, now);
        JsonNode fromKiln = query(http, kilnUrl, q, now);
        assertEquals(2, fromKiln.size(), fromKiln.toString());
        assertEquals(fromKiln, fromPrometheus);
      }
    }
  }

  private static JsonNode query(HttpClient http, String base, String q, long timeMillis) throws Exception {
    String body = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?time=" + (timeMillis / 1000)
        + "&query=" + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
    return new ObjectMapper().readTree(body).path("data").path("result");
  }
}
