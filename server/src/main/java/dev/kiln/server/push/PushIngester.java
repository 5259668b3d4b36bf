package dev.kiln.server.push;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.HttpClientConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.scraper.scrape.HttpFetcher;
import dev.kiln.scraper.scrape.ScrapeLoop;
import dev.kiln.scraper.scrape.Target;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appendable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ingests the push store like a scraped target with {@code honor_labels: true}, every scrape
 * interval: samples carry the ingest time, and series removed by a PUT or DELETE get stale
 * markers, exactly as for a target whose series disappear. Once a group holds a family pushed in
 * the delimited protobuf format, the store is ingested in that format (native histograms stored).
 */
public final class PushIngester implements AutoCloseable {
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
  private final ScrapeLoop loop;
  private final PushStore store;
  private boolean hadGroups;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kiln-push-ingest");
    t.setDaemon(true);
    return t;
  });

  public PushIngester(PushStore store, Appendable storage, Clock clock, long intervalMillis) {
    this.store = store;
    ScrapeConfig cfg = ConfigLoader.parse("push", "scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    scrape_native_histograms: true\n    scrape_interval: "
        + intervalMillis + "ms\n", Path.of(".")).scrapeConfig("pushgateway");
    HttpFetcher inProcess = (URI url, Map<String, String> h, HttpClientConfig c, long timeout, long limit) -> {
      if (store.hasProtobuf()) {
        byte[] body = store.protobufExposition();
        return new HttpFetcher.Response(200, PROTOBUF, body, body.length);
      }
      byte[] body = store.exposition().getBytes(StandardCharsets.UTF_8);
      return new HttpFetcher.Response(200, "text/plain; version=0.0.4", body, body.length);
    };
    Labels targetLabels = Labels.of("job", "pushgateway");
    Target target = new Target(targetLabels, targetLabels, targetLabels, URI.create("http://kiln.internal/push"));
    this.loop = new ScrapeLoop("pushgateway", target, cfg, new SyncedCommits(storage), inProcess, clock, "Kiln", false);
    timer.scheduleAtFixedRate(this::ingestNow, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Ingests the current store now. Nothing is written while no group was ever pushed, so an unused
   * push API adds no {@code up{job="pushgateway"}} series; after the last group is deleted one more
   * ingest writes the staleness markers.
   */
  public synchronized void ingestNow() {
    boolean hasGroups = !store.groups().isEmpty();
    if (hasGroups || hadGroups) {
      loop.scrape();
    }
    hadGroups = hasGroups;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
