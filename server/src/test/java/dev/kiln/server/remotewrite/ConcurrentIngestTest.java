package dev.kiln.server.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Four connections remote-write while Grafana-style range queries run: no errors, and every
 * acknowledged sample is there afterwards, also after a restart on the same directory.
 */
class ConcurrentIngestTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITERS = 4;
  private static final int SERIES_PER_WRITER = 50;
  private static final int STEPS = 40;

  @TempDir Path dir;

  private KilnServer start() throws Exception {
    Path cfg = dir.resolve("p.yml");
    Files.writeString(cfg, "global: {scrape_interval: 15s}\n");
    KilnServer s = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, false, false,
        120_000, 50_000_000, 300_000, 4, ""));
    s.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!s.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return s;
  }

  private static double countSamples(String base, long t0) throws Exception {
    String q = URLEncoder.encode("sum(count_over_time(load_test[1h]))", StandardCharsets.UTF_8);
    String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query=" + q + "&time=" + (t0 / 1000 + STEPS * 15)))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    return Double.parseDouble(JSON.readTree(body).get("data").get("result").get(0).get("value").get(1).asText());
  }

  @Test
  void concurrentWritesAndQueriesLoseNothing() throws Exception {
    long t0 = (System.currentTimeMillis() / 15_000) * 15_000 - STEPS * 15_000L;
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    try (KilnServer kiln = start()) {
      String base = "http://127.0.0.1:" + kiln.address().getPort();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          for (int step = 0; step < STEPS; step++) {
            WriteRequest.Builder wr = WriteRequest.newBuilder();
            for (int s = 0; s < SERIES_PER_WRITER; s++) {
              wr.addTimeseries(TimeSeries.newBuilder()
                  .addLabels(Label.newBuilder().setName("__name__").setValue("load_test"))
                  .addLabels(Label.newBuilder().setName("series").setValue(writer + "-" + s))
                  .addSamples(Sample.newBuilder().setTimestamp(t0 + step * 15_000L).setValue(step)));
            }
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/write"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(wr.build().toByteArray()))).build(),
                HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 204) {
              acknowledged.addAndGet(SERIES_PER_WRITER);
            } else {
              errors.incrementAndGet();
            }
          }
          return null;
        }));
      }
      Future<?> reader = pool.submit(() -> {
        String q = URLEncoder.encode("sum by (series) (rate(load_test[1m0s]))", StandardCharsets.UTF_8);
        while (writing.get()) {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query_range?query=" + q + "&start="
              + t0 / 1000 + "&end=" + (t0 / 1000 + STEPS * 15) + "&step=15")).build(), HttpResponse.BodyHandlers.ofString());
          JsonNode n = JSON.readTree(r.body());
          if (r.statusCode() != 200 || !"success".equals(n.get("status").asText())) {
            errors.incrementAndGet();
          }
        }
        return null;
      });
      for (Future<?> f : writers) {
        f.get();
      }
      writing.set(false);
      reader.get();
      pool.shutdown();
      assertEquals(0, errors.get(), "no write or query failed");
      assertEquals((double) WRITERS * SERIES_PER_WRITER * STEPS, (double) acknowledged.get());
      assertEquals(acknowledged.get(), (long) countSamples(base, t0));
    }
    try (KilnServer again = start()) {
      assertEquals(acknowledged.get(), (long) countSamples("http://127.0.0.1:" + again.address().getPort(), t0),
          "every acknowledged sample survives a restart");
    }
  }
}
