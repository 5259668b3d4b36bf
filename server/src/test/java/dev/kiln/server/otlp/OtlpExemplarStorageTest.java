package dev.kiln.server.otlp;

import static dev.kiln.server.otlp.OtlpExemplarsTest.SPAN;
import static dev.kiln.server.otlp.OtlpExemplarsTest.TRACE;
import static dev.kiln.server.otlp.OtlpExemplarsTest.exemplar;
import static dev.kiln.server.otlp.OtlpTranslatorTest.attr;
import static dev.kiln.server.otlp.OtlpTranslatorTest.histogram;
import static dev.kiln.server.otlp.OtlpTranslatorTest.point;
import static dev.kiln.server.otlp.OtlpTranslatorTest.request;
import static dev.kiln.server.otlp.OtlpTranslatorTest.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.OtlpConfig;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.SeriesExemplars;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OTLP exemplars through the receiver into the head's exemplar storage, queried as {@code /api/v1/query_exemplars} reads them. */
class OtlpExemplarStorageTest {
  private static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
  @TempDir Path dir;
  private Db db;
  private OtlpHandler handler;
  private final OtlpStats stats = new OtlpStats();
  private long nowNanos;

  @BeforeEach
  void open() {
    db = Db.open(dir.resolve("d"), DbOptions.defaults());
    long now = System.currentTimeMillis();
    nowNanos = now * 1_000_000L;
    handler = new OtlpHandler(db, Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC), () -> OtlpConfig.DEFAULT, 300_000, stats,
        1 << 20);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private Response post(ExportMetricsServiceRequest req) {
    return handler.handle(new Request("POST", "/api/v1/otlp/v1/metrics", Map.of(),
        Map.of("content-type", "application/x-protobuf"), req.toByteArray()));
  }

  private List<SeriesExemplars> query(LabelMatcher... m) {
    return db.exemplarQuerier().select(0, Long.MAX_VALUE, List.of(List.of(m)));
  }

  private ExportMetricsServiceRequest export(long nanos, double... exemplarValues) {
    HistogramDataPoint.Builder pt = HistogramDataPoint.newBuilder().setTimeUnixNano(nanos).setCount(4).setSum(3)
        .addAllExplicitBounds(List.of(0.5, 1.0)).addAllBucketCounts(List.of(1L, 2L, 1L));
    for (double v : exemplarValues) {
      pt.addExemplars(exemplar(v, nanos - 1_000_000));
    }
    return request(List.of(attr("service.name", "checkout")), InstrumentationScope.getDefaultInstance(),
        sum("orders", "", true, CUMULATIVE, point(3).setTimeUnixNano(nanos).addExemplars(exemplar(1, nanos - 2_000_000))),
        histogram("lat", "s", CUMULATIVE, pt));
  }

  @Test
  void exemplarsAreStoredOnTheirSeriesWhenTheStorageIsOn() {
    db.resizeExemplars(100);
    Response r = post(export(nowNanos, 0.7, 3));
    assertEquals(200, r.status(), new String(r.body()));
    long ms = nowNanos / 1_000_000L;
    Labels ids = Labels.of("span_id", SPAN, "trace_id", TRACE);
    assertEquals(List.of(new SeriesExemplars(Labels.of("__name__", "orders_total", "job", "checkout"),
        List.of(Exemplar.of(ids, 1, ms - 2)))), query(LabelMatcher.equal("__name__", "orders_total")));
    List<SeriesExemplars> buckets = query(LabelMatcher.equal("__name__", "lat_seconds_bucket"));
    assertEquals(2, buckets.size(), buckets.toString());
    for (SeriesExemplars s : buckets) {
      String le = s.seriesLabels().get("le");
      double v = le.equals("1") ? 0.7 : 3;
      assertTrue(le.equals("1") || le.equals("+Inf"), le);
      assertEquals(List.of(Exemplar.of(ids, v, ms - 1)), s.exemplars());
    }
    assertTrue(stats.metricsText().contains("kiln_otlp_exemplars_written_total 3\n"), stats.metricsText());

    // The same export again: the exemplars repeat the newest ones and are dropped as duplicates;
    // an older exemplar on a newer sample is out of order and skipped, the samples are written.
    HistogramDataPoint.Builder later = HistogramDataPoint.newBuilder().setTimeUnixNano(nowNanos + 1_000_000).setCount(5).setSum(4)
        .addAllExplicitBounds(List.of(0.5, 1.0)).addAllBucketCounts(List.of(1L, 3L, 1L)).addExemplars(exemplar(0.9, nowNanos - 5_000_000));
    Response again = post(request(List.of(attr("service.name", "checkout")), InstrumentationScope.getDefaultInstance(),
        histogram("lat", "s", CUMULATIVE, later)));
    assertEquals(200, again.status(), new String(again.body()));
    assertEquals(List.of(Exemplar.of(ids, 0.7, ms - 1)),
        query(LabelMatcher.equal("__name__", "lat_seconds_bucket"), LabelMatcher.equal("le", "1")).get(0).exemplars());
    assertTrue(stats.metricsText().contains("kiln_otlp_exemplars_dropped_total 1\n"), stats.metricsText());
  }

  @Test
  void withoutExemplarStorageTheSamplesAreStillWritten() {
    Response r = post(export(nowNanos, 0.7));
    assertEquals(200, r.status(), new String(r.body()));
    assertEquals(List.of(), query(LabelMatcher.equal("job", "checkout")));
    assertTrue(stats.metricsText().contains("kiln_otlp_exemplars_written_total 0\n"), stats.metricsText());
    assertTrue(stats.samplesWritten() > 0);
  }
}
