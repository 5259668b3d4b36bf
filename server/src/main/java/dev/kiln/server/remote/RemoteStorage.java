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

  public RemoteStorage(String userAgent) {
    this.userAgent = userAgent;
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
        next.add(new RemoteWriteQueue(e, externalLabels, userAgent));
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
    family(sb, qs, "prometheus_remote_storage_samples_total", "Samples sent to remote storage.", "counter",
        q -> q.metrics.samplesSent.get());
    family(sb, qs, "prometheus_remote_storage_samples_failed_total",
        "Samples that failed to be sent to remote storage with a non-recoverable error.", "counter",
        q -> q.metrics.samplesFailed.get());
    family(sb, qs, "prometheus_remote_storage_samples_retried_total",
        "Samples whose sending was retried after a recoverable error.", "counter", q -> q.metrics.samplesRetried.get());
    family(sb, qs, "prometheus_remote_storage_samples_dropped_total",
        "Samples dropped before sending: buffer full, older than sample_age_limit, or left at shutdown.", "counter",
        q -> q.metrics.samplesDropped.get());
    family(sb, qs, "prometheus_remote_storage_samples_pending", "Samples waiting to be sent.", "gauge",
        q -> q.pending());
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
