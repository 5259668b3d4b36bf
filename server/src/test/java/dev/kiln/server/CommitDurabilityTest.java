package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.scraper.scrape.HttpFetcher;
import dev.kiln.scraper.scrape.ScrapeLoop;
import dev.kiln.scraper.scrape.Target;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.remotewrite.RemoteWriteHandler;
import dev.kiln.server.remotewrite.RemoteWriteStats;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbMetric;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * With the default WAL fsync interval (0), against a real database: a remote-write request is
 * fsynced before it is answered, and a scrape's commit issues no fsync of its own. Fsyncs are
 * counted by the thread that issued them, so the log's background sync cannot blur the counts.
 */
class CommitDurabilityTest {
  @TempDir Path dir;
  private final SyncsByThread io = new SyncsByThread();
  private Db db;

  /** Counts segment fsyncs by thread name. */
  static final class SyncsByThread extends FileIo {
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    @Override
    public void sync(FileChannel ch) throws IOException {
      super.sync(ch);
      counts.computeIfAbsent(Thread.currentThread().getName(), k -> new AtomicInteger()).incrementAndGet();
    }

    int here() {
      AtomicInteger n = counts.get(Thread.currentThread().getName());
      return n == null ? 0 : n.get();
    }
  }

  private Db db() {
    db = Db.create(dir.resolve("data"), DbOptions.defaults(), io);
    db.start();
    return db;
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private static byte[] writeRequest(long t) {
    TimeSeries ts = TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("pushed"))
        .addSamples(Sample.newBuilder().setTimestamp(t).setValue(t))
        .build();
    return WriteRequest.newBuilder().addTimeseries(ts).build().toByteArray();
  }

  @Test
  void everyRemoteWriteRequestIsFsyncedBeforeItIsAnswered() throws IOException {
    Db d = db();
    RemoteWriteHandler h = new RemoteWriteHandler(d, Clock.systemUTC(), new RemoteWriteStats());
    long now = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      int before = io.here();
      Response r = h.handle(new Request("POST", "/api/v1/write", Map.of(),
          Map.of("content-type", "application/x-protobuf", "content-encoding", "snappy"),
          Snappy.compress(writeRequest(now + i))));
      assertEquals(204, r.status(), new String(r.body(), StandardCharsets.UTF_8));
      assertEquals(before + 1, io.here(), "request " + i + " answered without its own fsync");
    }
  }

  @Test
  void aScrapeCommitIssuesNoFsyncOfItsOwn() {
    Db d = db();
    String yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n";
    ScrapeConfig cfg = ConfigLoader.parse("t.yml", yaml, Path.of("/")).scrapeConfig("app");
    HttpFetcher fetcher = (URI url, Map<String, String> headers, HttpClientConfig c, long timeout, long limit) -> {
      byte[] body = ("m{i=\"1\"} " + System.nanoTime() + "\nm{i=\"2\"} 2\n").getBytes(StandardCharsets.UTF_8);
      return new HttpFetcher.Response(200, "text/plain; version=0.0.4", body, body.length);
    };
    Labels tl = Labels.of("job", "app", "instance", "h:1");
    ScrapeLoop loop = new ScrapeLoop("app", new Target(tl, tl, tl, URI.create("http://h:1/metrics")), cfg, d, fetcher,
        Clock.systemUTC(), "Kiln/test", false);
    double fsyncMetricBefore = fsyncMetric(d);
    for (int i = 0; i < 5; i++) {
      loop.scrape();
    }
    assertEquals("", loop.status().lastError());
    assertEquals(0, io.here(), "scrape commits fsynced on the scraping thread");
    // The metric counts the background sync's fsyncs too: at most about one a second.
    assertTrue(fsyncMetric(d) - fsyncMetricBefore <= io.counts.getOrDefault("kiln-wal-sync", new AtomicInteger()).get());
  }

  private static double fsyncMetric(Db d) {
    for (DbMetric m : d.metrics()) {
      if (m.name().equals("prometheus_tsdb_wal_fsync_duration_seconds_count")) {
        return m.value();
      }
    }
    throw new AssertionError("no prometheus_tsdb_wal_fsync_duration_seconds_count");
  }
}
