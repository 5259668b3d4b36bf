package dev.kiln.server.api;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbMetric;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kiln's own metrics for {@code /metrics}: JVM and process metrics through micrometer, HTTP
 * requests under Prometheus's names ({@code prometheus_http_requests_total},
 * {@code prometheus_http_request_duration_seconds}), and the database's metrics under
 * Prometheus's TSDB names. Thread-safe.
 */
public final class SelfMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  /**
   * Request latencies as Prometheus's own histogram: the classic buckets Prometheus uses and native
   * buckets of schema 3 (factor about 1.09, Prometheus's 1.1), exposed natively in protobuf.
   */
  private final io.prometheus.metrics.core.metrics.Histogram durations =
      io.prometheus.metrics.core.metrics.Histogram.builder()
          .name("prometheus_http_request_duration_seconds").help("Histogram of latencies for HTTP requests.")
          .labelNames("handler").classicUpperBounds(0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120)
          .nativeInitialSchema(3).nativeMaxNumberOfBuckets(100).nativeResetDuration(1, java.util.concurrent.TimeUnit.HOURS)
          .withoutExemplars()
          .register(registry.getPrometheusRegistry());
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final dev.kiln.server.remotewrite.RemoteWriteStats remoteWrite = new dev.kiln.server.remotewrite.RemoteWriteStats();
  private volatile Db db;
  private volatile double configReloadSuccess = 1;
  private volatile double configReloadTime;

  public SelfMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** The remote write receiver's counters. */
  public dev.kiln.server.remotewrite.RemoteWriteStats remoteWrite() {
    return remoteWrite;
  }

  public void attach(Db db) {
    this.db = db;
  }

  /** Records one served request. */
  public void request(String handler, int code, long nanos) {
    requests.computeIfAbsent(handler + " " + code, k -> Counter.builder("prometheus_http_requests")
        .description("Counter of HTTP requests.").tag("handler", handler).tag("code", Integer.toString(code)).register(registry))
        .increment();
    durations.labelValues(handler).observe(nanos / 1e9);
  }

  /** Records a configuration (re)load outcome. */
  public void configReload(boolean ok, long timeMillis) {
    configReloadSuccess = ok ? 1 : 0;
    if (ok) {
      configReloadTime = timeMillis / 1000.0;
    }
  }

  private final java.util.List<java.util.function.Supplier<String>> sections = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Adds metric families rendered by another component (text format, complete with HELP and TYPE). */
  public void addSection(java.util.function.Supplier<String> section) {
    sections.add(section);
  }

  /** The metrics in Prometheus text format 0.0.4 (histograms with their classic buckets). */
  public String scrape() {
    return registry.scrape() + kilnFamilies();
  }

  /**
   * The metrics as delimited {@code io.prometheus.client.MetricFamily} messages, native histogram
   * buckets included (the latency histogram has classic and native buckets).
   */
  public byte[] scrapeProtobuf() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      io.prometheus.metrics.expositionformats.ExpositionFormats.init().getPrometheusProtobufWriter()
          .write(out, registry.getPrometheusRegistry().scrape());
      TextFamilies.writeProtobuf(kilnFamilies(), out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The families Kiln renders itself, in text format. */
  private String kilnFamilies() {
    StringBuilder sb = new StringBuilder();
    family(sb, "prometheus_config_last_reload_successful", "Whether the last configuration reload attempt was successful.", false, configReloadSuccess);
    family(sb, "prometheus_config_last_reload_success_timestamp_seconds", "Timestamp of the last successful configuration reload.", false, configReloadTime);
    family(sb, "prometheus_remote_write_receiver_samples_written_total", "Samples written through the remote write receiver.", true, remoteWrite.samplesWritten());
    family(sb, "prometheus_api_remote_write_invalid_labels_samples_total",
        "The total number of received remote write samples and histogram samples which were rejected due to invalid labels.", true,
        remoteWrite.samplesWithInvalidLabels());
    family(sb, "kiln_remote_write_samples_rejected_total", "Remote write samples rejected (out of order, duplicate, out of bounds, unsupported).", true, remoteWrite.samplesRejected());
    Db d = db;
    if (d != null) {
      for (DbMetric m : d.metrics()) {
        family(sb, m.name(), m.help(), m.counter(), m.value());
      }
    }
    for (java.util.function.Supplier<String> section : sections) {
      sb.append(section.get());
    }
    return sb.toString();
  }

  private static void family(StringBuilder sb, String name, String help, boolean counter, double v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(counter ? "counter" : "gauge").append('\n');
    sb.append(name).append(' ').append(GoFloats.format(v, Notation.G)).append('\n');
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
