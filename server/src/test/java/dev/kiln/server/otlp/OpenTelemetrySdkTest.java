package dev.kiln.server.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenTelemetry Java SDK exports counters, gauges, explicit-bucket and exponential histograms
 * over OTLP/HTTP protobuf (gzip) into a running Kiln, which answers {@code /api/v1/series} and {@code /api/v1/query} with
 * the names and labels Prometheus 3's translation gives them.
 */
class OpenTelemetrySdkTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private KilnServer kiln;
  private String url;

  @BeforeEach
  void start() throws Exception {
    Path cfg = dir.resolve("prometheus.yml");
    Files.writeString(cfg, """
        global: {scrape_interval: 15s}
        otlp:
          promote_resource_attributes: [deployment.environment]
        """);
    kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, false, false, 120_000,
        50_000_000, 300_000, 4, ""), true);
    kiln.start();
    url = "http://127.0.0.1:" + kiln.address().getPort();
    awaitReady(kiln);
  }

  private static void awaitReady(KilnServer k) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!k.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(k.isReady(), "Kiln replayed its WAL");
  }

  @AfterEach
  void stop() {
    kiln.close();
  }

  private SdkMeterProvider provider(AggregationTemporalitySelector temporality, DefaultAggregationSelector aggregation) {
    OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder()
        .setEndpoint(url + "/api/v1/otlp/v1/metrics")
        .setCompression("gzip")
        .setTimeout(Duration.ofSeconds(10))
        .setAggregationTemporalitySelector(temporality)
        .setDefaultAggregationSelector(aggregation)
        .build();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
        .put("service.name", "checkout").put("service.namespace", "shop").put("service.instance.id", "pod-1")
        .put("host.name", "node-a").put("deployment.environment", "prod").build()));
    return SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build()).build();
  }

  private static void flush(SdkMeterProvider p) {
    CompletableResultCode r = p.forceFlush().join(20, TimeUnit.SECONDS);
    assertTrue(r.isSuccess(), "the exporter's request was accepted: " + r.getFailureThrowable());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body()).path("data");
  }

  private JsonNode query(String q) throws Exception {
    return get("/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)).path("result");
  }

  private static long counter(String metricsText, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(metricsText);
    assertTrue(m.find(), name + " in /metrics");
    return Long.parseLong(m.group(1));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void countersGaugesAndHistogramsArriveWithPrometheusNames() throws Exception {
    try (SdkMeterProvider p = provider(AggregationTemporalitySelector.alwaysCumulative(), DefaultAggregationSelector.getDefault())) {
      Meter meter = p.get("io.kiln.test");
      LongCounter requests = meter.counterBuilder("http.server.requests").setUnit("{request}").build();
      requests.add(3, Attributes.of(AttributeKey.stringKey("http.method"), "GET"));
      requests.add(2, Attributes.of(AttributeKey.stringKey("http.method"), "GET"));
      meter.gaugeBuilder("system.memory.utilization").setUnit("1").build().set(0.42);
      meter.upDownCounterBuilder("queue.size").setUnit("By").build().add(7);
      DoubleHistogram latency = meter.histogramBuilder("http.server.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0)).build();
      for (double v : new double[] {0.05, 0.3, 0.7, 2.0}) {
        latency.record(v);
      }
      flush(p);
    }

    JsonNode series = get("/api/v1/series?match[]=" + encode("{job=\"shop/checkout\"}"));
    TreeSet<String> names = new TreeSet<>();
    for (JsonNode s : series) {
      names.add(s.path("__name__").asText());
      assertEquals("pod-1", s.path("instance").asText(), s.toString());
      if (!s.path("__name__").asText().equals("target_info")) {
        assertEquals("prod", s.path("deployment_environment").asText(), "promoted resource attribute: " + s);
      }
    }
    // The SDK also exports its own otel_sdk_* self-metrics; they are translated like any other.
    names.removeIf(n -> n.startsWith("otel_sdk_"));
    assertEquals(new TreeSet<>(List.of("http_server_duration_seconds_bucket", "http_server_duration_seconds_count",
        "http_server_duration_seconds_sum", "http_server_requests_total", "queue_size_bytes", "system_memory_utilization_ratio",
        "target_info")), names);

    JsonNode counter = query("http_server_requests_total");
    assertEquals(1, counter.size(), counter.toString());
    assertEquals("GET", counter.get(0).path("metric").path("http_method").asText());
    assertEquals("5", counter.get(0).path("value").get(1).asText());
    assertEquals("0.42", query("system_memory_utilization_ratio").get(0).path("value").get(1).asText());
    assertEquals("7", query("queue_size_bytes").get(0).path("value").get(1).asText());

    JsonNode buckets = query("http_server_duration_seconds_bucket");
    TreeSet<String> les = new TreeSet<>();
    buckets.forEach(b -> les.add(b.path("metric").path("le").asText() + "=" + b.path("value").get(1).asText()));
    assertEquals(new TreeSet<>(List.of("0.1=1", "0.5=2", "1=3", "+Inf=4")), les);
    assertEquals("4", query("http_server_duration_seconds_count").get(0).path("value").get(1).asText());
    assertEquals("3.05", query("http_server_duration_seconds_sum").get(0).path("value").get(1).asText());
    assertEquals("0.5", query("histogram_quantile(0.5, sum by (le) (http_server_duration_seconds_bucket))").get(0).path("value").get(1).asText());

    JsonNode info = query("target_info");
    assertEquals(1, info.size(), info.toString());
    JsonNode labels = info.get(0).path("metric");
    assertEquals("node-a", labels.path("host_name").asText());
    assertEquals("prod", labels.path("deployment_environment").asText());
    assertEquals("shop/checkout", labels.path("job").asText());
    assertTrue(labels.path("service_name").isMissingNode(), "identifying attributes stay off target_info: " + labels);
    assertEquals("opentelemetry", labels.path("telemetry_sdk_name").asText(), "the SDK's own resource attributes: " + labels);
    assertEquals("java", labels.path("telemetry_sdk_language").asText(), "the SDK's own resource attributes: " + labels);
  }

  @Test
  void exponentialHistogramsBecomeNativeHistogramsAndDeltaCountersAreLeftOut() throws Exception {
    DefaultAggregationSelector exponential = DefaultAggregationSelector.getDefault()
        .with(InstrumentType.HISTOGRAM, Aggregation.base2ExponentialBucketHistogram());
    AggregationTemporalitySelector deltaCounters = type -> type == InstrumentType.COUNTER
        ? io.opentelemetry.sdk.metrics.data.AggregationTemporality.DELTA : io.opentelemetry.sdk.metrics.data.AggregationTemporality.CUMULATIVE;
    try (SdkMeterProvider p = provider(deltaCounters, exponential)) {
      Meter meter = p.get("io.kiln.test");
      meter.counterBuilder("jobs.done").build().add(4);
      DoubleHistogram duration = meter.histogramBuilder("job.duration").setUnit("s").build();
      duration.record(1.5);
      duration.record(0.25);
      duration.record(3);
      meter.gaugeBuilder("workers").build().set(3);
      flush(p);
    }
    assertEquals("3", query("workers").get(0).path("value").get(1).asText());
    assertEquals(0, query("{__name__=~\"jobs_done.*\"}").size(), "the delta counter is left out");
    assertEquals("3", query("histogram_count(job_duration_seconds)").get(0).path("value").get(1).asText());
    assertEquals("4.75", query("histogram_sum(job_duration_seconds)").get(0).path("value").get(1).asText());
    assertEquals(1, query("job_duration_seconds").size());
    assertEquals(0, query("{__name__=~\"job_duration_seconds_.*\"}").size(), "no classic series for an exponential histogram");
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(counter(metrics, "kiln_otlp_histograms_written_total") >= 1, metrics);
    assertTrue(counter(metrics, "kiln_otlp_metrics_dropped_total") >= 1, "the delta counter");
    assertEquals(0, counter(metrics, "kiln_otlp_bad_requests_total"));
    assertEquals(0, counter(metrics, "kiln_otlp_requests_rejected_total"));
  }

  @Test
  void theReceiverIsOffUnlessEnabled() throws Exception {
    try (KilnServer off = new KilnServer(new KilnOptions(null, dir.resolve("off"), 86_400_000L, 0, "127.0.0.1", 0, true, false, false,
        120_000, 50_000_000, 300_000, 4, ""))) {
      off.start();
      awaitReady(off);
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + off.address().getPort()
          + "/api/v1/otlp/v1/metrics")).header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, r.statusCode());
      assertEquals("otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n", r.body());
    }
  }
}
