package dev.kiln.benchmarks.scrape;

import dev.kiln.config.OtlpConfig;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.otlp.OtlpHandler;
import dev.kiln.server.otlp.OtlpStats;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The OTLP receiver without the network: one uncompressed protobuf export of 1,000 cumulative
 * counters and 100 explicit-bucket histograms (10 buckets each) under one resource with six
 * attributes, 2,500 samples with {@code target_info}, decoded, translated and appended to a
 * {@link Db} with its write-ahead log on. Each invocation is one request with timestamps 100 ms
 * after the last one. Score: ns per sample; {@link #buildOnly()} is the cost of building the request
 * body inside the measurement, to subtract. The database lives on /dev/shm when available.
 * Machine: 2 shared cores, JDK 17.0.15.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtlpIngestBenchmark {
  static final int COUNTERS = 1000;
  static final int HISTOGRAMS = 100;
  static final int BUCKETS = 10;
  /** Counters, plus bucket series, +Inf, _sum and _count per histogram, plus target_info. */
  static final int SAMPLES = COUNTERS + HISTOGRAMS * (BUCKETS + 3) + 1;

  private Path dir;
  private Db db;
  private OtlpHandler handler;
  private long nanos = 1_700_000_000_000_000_000L;

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static byte[] request(long timeNanos) {
    Sum.Builder counters = Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i < COUNTERS; i++) {
      counters.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(timeNanos).setAsInt(timeNanos / 1_000_000 + i)
          .addAttributes(attr("http.route", "/h" + i / 5)).addAttributes(attr("http.response.status_code", Integer.toString(200 + i % 5)))
          .addAttributes(attr("http.request.method", "GET")));
    }
    Histogram.Builder hist = Histogram.newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i < HISTOGRAMS; i++) {
      HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().setTimeUnixNano(timeNanos).setCount(BUCKETS * 3L + 3).setSum(12.5)
          .addAttributes(attr("http.route", "/h" + i));
      for (int b = 0; b < BUCKETS; b++) {
        p.addExplicitBounds(0.005 * (1 << b));
        p.addBucketCounts(3);
      }
      p.addBucketCounts(3);
      hist.addDataPoints(p);
    }
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(List.of(attr("service.name", "checkout"), attr("service.namespace", "shop"),
            attr("service.instance.id", "pod-1"), attr("host.name", "node-a"), attr("k8s.pod.name", "checkout-7d9f"),
            attr("telemetry.sdk.language", "java"))))
        .addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("http.server.requests").setUnit("{request}").setSum(counters))
            .addMetrics(Metric.newBuilder().setName("http.server.request.duration").setUnit("s").setHistogram(hist))))
        .build().toByteArray();
  }

  @Setup(Level.Trial)
  public void setup() throws IOException {
    Path shm = Path.of("/dev/shm");
    dir = Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "kiln-otlp-bench")
        : Files.createTempDirectory("kiln-otlp-bench");
    db = Db.open(dir, DbOptions.builder().build());
    handler = new OtlpHandler(db, java.time.Clock.systemUTC(), () -> OtlpConfig.DEFAULT, 300_000, new OtlpStats(), 64 << 20);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private byte[] next() {
    nanos += 100_000_000L;
    return request(nanos);
  }

  /** Building the next request body alone (included in {@link #export()}). */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] buildOnly() {
    return next();
  }

  /** One export request: decode, translate, append, commit. */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public int export() throws Exception {
    byte[] body = next();
    Response r = handler.handle(new Request("POST", "/api/v1/otlp/v1/metrics", Map.of(),
        Map.of("content-type", "application/x-protobuf"), body));
    if (r.status() != 200) {
      throw new IllegalStateException(r.status() + " " + new String(r.body()));
    }
    return r.status();
  }
}
