package dev.kiln.server.remote;

import dev.kiln.config.RemoteEndpointConfig;
import dev.kiln.config.relabel.Relabeler;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.CommitListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything committed locally, on its way to one {@code remote_write} endpoint: each series gets
 * the external labels it lacks and the endpoint's {@code write_relabel_configs} (decided once per
 * series), then its samples go to a fixed shard by the hash of the resulting labels, where they
 * are batched and sent.
 */
final class RemoteWriteQueue {
  static final String V1_MESSAGE = "prometheus.WriteRequest";
  static final String V2_MESSAGE = "io.prometheus.write.v2.Request";
  private static final Labels DROPPED = Labels.of("__kiln_dropped__", "1");
  private static final int MAX_REMEMBERED_SERIES = 1 << 20;
  /** Samples an endpoint may have waiting in memory across its shards (about 20 MB). */
  static final int BUFFERED_SAMPLES = 1 << 20;

  final RemoteEndpointConfig config;
  final Labels externalLabels;
  final String remoteName;
  final QueueMetrics metrics = new QueueMetrics();
  private final Shard[] shards;
  /** Local series labels (the head's own instances, so lookups mostly end at identity) to outgoing labels. */
  private final ConcurrentHashMap<Labels, Labels> outgoingLabels = new ConcurrentHashMap<>();

  private final MetadataSender metadataSender;

  /** @param metadata the scrape targets' metric metadata, sent when {@code metadata_config.send} is set */
  RemoteWriteQueue(RemoteEndpointConfig config, Labels externalLabels, String userAgent, MetadataIndex metadata) {
    this.config = config;
    this.externalLabels = externalLabels;
    this.remoteName = config.name().isEmpty() ? shortHash(config.url()) : config.name();
    boolean v2 = config.protobufMessage().equals(V2_MESSAGE);
    if (!v2 && !config.protobufMessage().equals(V1_MESSAGE)) {
      throw new IllegalArgumentException("remote write " + remoteName + ": unknown protobuf_message "
          + config.protobufMessage());
    }
    RemoteWriteClient client = new RemoteWriteClient(URI.create(config.url()), config.http(), config.headers(),
        config.remoteTimeoutMillis(), config.queue(), userAgent, metrics, v2);
    boolean sendMetadata = config.metadata().send();
    Shard.Encoder encoder = v2
        ? batch -> WriteRequestV2Encoder.encode(batch, sendMetadata ? metadata : null)
        : WriteRequestEncoder::encode;
    metadataSender = sendMetadata && !v2
        ? new MetadataSender("kiln-remote-write-metadata-" + remoteName, config.metadata(), metadata, client, metrics)
        : null;
    int n = Math.max(1, config.queue().minShards());
    shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard("kiln-remote-write-" + remoteName + "-" + i, config.queue(), client, encoder, metrics,
          BUFFERED_SAMPLES / n);
    }
  }

  /**
   * Queues a committed batch: its floats, and its native histograms (copied: the head keeps its
   * own) when {@code send_native_histograms} is set;
   * samples that find their shard's buffer full are dropped and counted.
   */
  void enqueue(CommitListener.Batch batch) {
    if (outgoingLabels.size() > MAX_REMEMBERED_SERIES) {
      outgoingLabels.clear();
    }
    for (int i = 0; i < batch.size(); i++) {
      Labels out = outgoingLabels.computeIfAbsent(batch.labels(i), this::outgoing);
      if (out == DROPPED) {
        metrics.samplesDropped.incrementAndGet();
        continue;
      }
      long t = batch.timestamp(i);
      metrics.highestQueuedMillis.accumulate(t);
      Shard s = shards[(int) Long.remainderUnsigned(out.hash64(), shards.length)];
      if (!s.offer(out, t, batch.value(i), null)) {
        metrics.samplesDropped.incrementAndGet();
      }
    }
    for (int i = 0; config.sendNativeHistograms() && i < batch.histogramCount(); i++) {
      Labels out = outgoingLabels.computeIfAbsent(batch.histogramLabels(i), this::outgoing);
      if (out == DROPPED) {
        metrics.histogramsDropped.incrementAndGet();
        continue;
      }
      long t = batch.histogramTimestamp(i);
      metrics.highestQueuedMillis.accumulate(t);
      Histogram h = batch.histogram(i);
      Object copy = h != null ? h.copy() : batch.floatHistogram(i).copy();
      Shard s = shards[(int) Long.remainderUnsigned(out.hash64(), shards.length)];
      if (!s.offer(out, t, 0, copy)) {
        metrics.histogramsDropped.incrementAndGet();
      }
    }
  }

  private Labels outgoing(Labels local) {
    Labels withExternal = local;
    if (!externalLabels.isEmpty()) {
      Labels.Builder b = local.toBuilder();
      for (int k = 0; k < externalLabels.size(); k++) {
        if (!local.has(externalLabels.name(k))) {
          b.set(externalLabels.name(k), externalLabels.value(k));
        }
      }
      withExternal = b.build();
    }
    Labels out = Relabeler.process(withExternal, config.writeRelabelConfigs());
    return out == null || out.isEmpty() ? DROPPED : out;
  }

  /** Float samples waiting to be sent. */
  int pending() {
    int n = 0;
    for (Shard s : shards) {
      n += s.pendingFloatCount();
    }
    return n;
  }

  /** Native-histogram samples waiting to be sent. */
  int pendingHistograms() {
    int n = 0;
    for (Shard s : shards) {
      n += s.pendingHistogramCount();
    }
    return n;
  }

  int shardCount() {
    return shards.length;
  }

  /** Stops: what is buffered is sent for at most {@code flushMillis}, the rest is dropped. */
  void close(long flushMillis) {
    if (metadataSender != null) {
      metadataSender.close();
    }
    for (Shard s : shards) {
      s.close(flushMillis);
    }
    metrics.dropped(pending(), pendingHistograms());
  }

  private static String shortHash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
