package dev.kiln.server.remote;

import dev.kiln.config.RemoteEndpointConfig;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.CommitListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Kiln's remote write sender: one {@link RemoteWriteQueue} per {@code remote_write} endpoint, fed
 * from every batch the head commits (scrapes, rules, pushes and remote write in alike) once it is
 * in the write-ahead log. A reload keeps the queues whose configuration did not change. Exposes
 * {@code prometheus_remote_storage_*} metrics per endpoint.
 *
 * <p>Samples wait in memory: unsent samples are lost on restart, and when an endpoint stays down
 * long enough to fill its buffers new samples are dropped and counted.
 */
public final class RemoteStorage implements CommitListener, AutoCloseable {
  private static final long FLUSH_ON_STOP_MILLIS = 5000;

  private final String userAgent;
  private volatile List<RemoteWriteQueue> queues = List.of();
  private volatile MetadataIndex metadata = MetadataIndex.none();

  public RemoteStorage(String userAgent) {
    this.userAgent = userAgent;
  }

  /**
   * Where metric metadata comes from (the scrape targets' families); queues started from now on
   * send it as their {@code metadata_config} says.
   */
  public void setMetadataSource(java.util.function.Supplier<? extends java.util.Collection<FamilyMetadata>> source) {
    metadata = new MetadataIndex(source);
  }

  /** Starts, keeps or stops queues to match {@code endpoints}. */
  public synchronized void apply(List<RemoteEndpointConfig> endpoints, Labels externalLabels) {
    List<RemoteWriteQueue> next = new ArrayList<>();
    List<RemoteWriteQueue> old = new ArrayList<>(queues);
    for (RemoteEndpointConfig e : endpoints) {
      RemoteWriteQueue kept = null;
      for (RemoteWriteQueue q : old) {
        if (q.config.equals(e) && q.externalLabels.equals(externalLabels)) {
          kept = q;
          break;
        }
      }
      if (kept != null) {
        old.remove(kept);
        next.add(kept);
      } else {
        next.add(new RemoteWriteQueue(e, externalLabels, userAgent, metadata));
      }
    }
    queues = List.copyOf(next);
    for (RemoteWriteQueue q : old) {
      q.close(FLUSH_ON_STOP_MILLIS);
    }
  }

  @Override
  public void committed(Batch batch) {
    for (RemoteWriteQueue q : queues) {
      q.enqueue(batch);
    }
  }

  /** The sender metrics in Prometheus text format. */
  public String metricsText() {
    List<RemoteWriteQueue> qs = queues;
    StringBuilder sb = new StringBuilder();
    family(sb, qs, "prometheus_remote_storage_samples_total", "Total number of samples sent to remote storage.",
        "counter", q -> q.metrics.samplesSent.get());
    family(sb, qs, "prometheus_remote_storage_samples_failed_total",
        "Total number of samples which failed on send to remote storage, non-recoverable errors.", "counter",
        q -> q.metrics.samplesFailed.get());
    family(sb, qs, "prometheus_remote_storage_samples_retried_total",
        "Total number of samples which failed on send to remote storage but were retried because the send error was"
            + " recoverable.", "counter", q -> q.metrics.samplesRetried.get());
    family(sb, qs, "prometheus_remote_storage_samples_dropped_total",
        "Total number of samples which were dropped before being sent via remote write: by relabelling, buffer full,"
            + " older than sample_age_limit, or left at shutdown.", "counter", q -> q.metrics.samplesDropped.get());
    family(sb, qs, "prometheus_remote_storage_samples_pending",
        "The number of samples pending in the queues shards to be sent to the remote storage.", "gauge",
        q -> q.pending());
    family(sb, qs, "prometheus_remote_storage_histograms_total", "Total number of histograms sent to remote storage.",
        "counter", q -> q.metrics.histogramsSent.get());
    family(sb, qs, "prometheus_remote_storage_histograms_failed_total",
        "Total number of histograms which failed on send to remote storage, non-recoverable errors.", "counter",
        q -> q.metrics.histogramsFailed.get());
    family(sb, qs, "prometheus_remote_storage_histograms_retried_total",
        "Total number of histograms which failed on send to remote storage but were retried because the send error"
            + " was recoverable.", "counter", q -> q.metrics.histogramsRetried.get());
    family(sb, qs, "prometheus_remote_storage_histograms_dropped_total",
        "Total number of histograms which were dropped before being sent via remote write: by relabelling, buffer"
            + " full, older than sample_age_limit, or left at shutdown.", "counter",
        q -> q.metrics.histogramsDropped.get());
    family(sb, qs, "prometheus_remote_storage_histograms_pending",
        "The number of histograms pending in the queues shards to be sent to the remote storage.", "gauge",
        q -> q.pendingHistograms());
    family(sb, qs, "prometheus_remote_storage_metadata_total", "Total number of metadata entries sent to remote storage.",
        "counter", q -> q.metrics.metadataSent.get());
    family(sb, qs, "prometheus_remote_storage_metadata_failed_total",
        "Total number of metadata entries which failed on send to remote storage, non-recoverable errors.", "counter",
        q -> q.metrics.metadataFailed.get());
    family(sb, qs, "prometheus_remote_storage_metadata_retried_total",
        "Total number of metadata entries which failed on send to remote storage but were retried because the send"
            + " error was recoverable.", "counter", q -> q.metrics.metadataRetried.get());
    family(sb, qs, "prometheus_remote_storage_metadata_bytes_total",
        "The total number of bytes of metadata sent by the queue after compression.", "counter",
        q -> q.metrics.metadataBytes.get());
    family(sb, qs, "prometheus_remote_storage_bytes_total", "Compressed bytes sent to remote storage.", "counter",
        q -> q.metrics.bytesSent.get());
    family(sb, qs, "prometheus_remote_storage_shards", "Shards sending to remote storage.", "gauge",
        q -> q.shardCount());
    family(sb, qs, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
        "Newest sample timestamp successfully sent.", "gauge", q -> q.metrics.highestSentMillis.get() / 1000.0);
    family(sb, qs, "prometheus_remote_storage_queue_highest_timestamp_seconds",
        "Newest sample timestamp queued for sending.", "gauge", q -> q.metrics.highestQueuedMillis.get() / 1000.0);
    return sb.toString();
  }

  private static void family(StringBuilder sb, List<RemoteWriteQueue> qs, String name, String help, String type,
      ToDoubleFunction<RemoteWriteQueue> value) {
    if (qs.isEmpty()) {
      return;
    }
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    for (RemoteWriteQueue q : qs) {
      sb.append(name).append("{remote_name=\"").append(escape(q.remoteName)).append("\",url=\"")
          .append(escape(q.config.url())).append("\"} ").append(GoFloats.format(value.applyAsDouble(q), Notation.G)).append('\n');
    }
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public synchronized void close() {
    for (RemoteWriteQueue q : queues) {
      q.close(FLUSH_ON_STOP_MILLIS);
    }
    queues = List.of();
  }
}
