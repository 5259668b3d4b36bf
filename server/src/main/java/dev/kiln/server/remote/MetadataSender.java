package dev.kiln.server.remote;

import dev.kiln.config.MetadataConfig;
import dev.kiln.server.remotewrite.proto.v1.MetricMetadata;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.storage.Metadata;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

/**
 * Remote write 1.0's metadata: every {@code send_interval} the distinct metadata entries of all
 * scrape targets go to the endpoint in requests that carry only {@code WriteRequest.metadata}, at
 * most {@code max_samples_per_send} entries each, one after the other, retried as sample requests
 * are (Prometheus's metadata watcher and {@code QueueManager.AppendMetadata}). Counted in
 * {@code prometheus_remote_storage_metadata_*}; the first send is one interval after start.
 */
final class MetadataSender {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataSender.class);

  private final MetadataConfig config;
  private final MetadataIndex index;
  private final RemoteWriteClient client;
  private final QueueMetrics metrics;
  private final Thread thread;
  private volatile boolean running = true;

  MetadataSender(String name, MetadataConfig config, MetadataIndex index, RemoteWriteClient client,
      QueueMetrics metrics) {
    this.config = config;
    this.index = index;
    this.client = client;
    this.metrics = metrics;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        Thread.sleep(config.sendIntervalMillis());
        sendAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends the current metadata once, in as many requests as it takes. */
  void sendAll() throws InterruptedException {
    List<FamilyMetadata> entries = index.entries();
    int per = config.maxSamplesPerSend();
    for (int from = 0; from < entries.size() && running; from += per) {
      List<FamilyMetadata> part = entries.subList(from, Math.min(entries.size(), from + per));
      byte[] body;
      try {
        body = encode(part);
      } catch (IOException e) {
        LOG.error("remote write: cannot encode {} metadata entries: {}", part.size(), e.toString());
        metrics.metadataFailed.addAndGet(part.size());
        continue;
      }
      int n = part.size();
      switch (client.send(body, n + " metadata entries", () -> metrics.metadataRetried.addAndGet(n), () -> running)) {
        case SENT -> {
          metrics.metadataSent.addAndGet(n);
          metrics.metadataBytes.addAndGet(body.length);
        }
        case FAILED -> metrics.metadataFailed.addAndGet(n);
        case ABANDONED -> { }
      }
    }
  }

  /** A snappy-compressed {@code WriteRequest} holding only {@code entries} as its metadata. */
  static byte[] encode(List<FamilyMetadata> entries) throws IOException {
    WriteRequest.Builder req = WriteRequest.newBuilder();
    for (FamilyMetadata f : entries) {
      Metadata m = f.metadata();
      req.addMetadata(MetricMetadata.newBuilder().setMetricFamilyName(f.family())
          .setTypeValue(MetadataIndex.protoType(m.type())).setHelp(m.help()).setUnit(m.unit()));
    }
    return Snappy.compress(req.build().toByteArray());
  }

  void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
