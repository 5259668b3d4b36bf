package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grafana's native-histogram heatmap panel against Kiln and the real Prometheus 2.42 holding the
 * same histograms: the two queries such a panel sends (last hour, Grafana's 15 s step and its
 * {@code $__rate_interval} rendering {@code 1m0s}, form POST with the range floored to the step)
 * come back in the shape Grafana's data source reads: a matrix whose series carry
 * {@code histograms} entries {@code [t, {count, sum, buckets: [[rule, "lo", "hi", "n"], ...]}]}
 * and no {@code values} key for the heatmap, identical to Prometheus's answer; plain
 * {@code values} for the quantile, one per heatmap step, inside the bucket holding the rank.
 */
class GrafanaHeatmapDifferentialTest {
  @TempDir Path dir;

  @Test
  void heatmapAndQuantileQueriesAnswerAsPrometheusDoes() throws Exception {
    Path config = dir.resolve("p.yml");
    Files.writeString(config, "global: {scrape_interval: 15s}\n");
    long end = System.currentTimeMillis() / 15_000 * 15_000;
    // Samples 7 s off the step grid: no sample sits on a range boundary, where Prometheus 2.42
    // (left-closed ranges) and 3.x, which Kiln follows (left-open), differ.
    byte[] body = HistogramWrites.request("grafana", end - 7000, 240, 5);
    try (ServerPair pair = ServerPair.nativeHistogramsWith(dir, config, body)) {
      ApiClient prom = pair.prom;
      ApiClient kil = pair.kil;
      long start = (end - 3_600_000) / 1000 / 15 * 15;
      long stop = end / 1000 / 15 * 15;
      JsonNode heatmap = null;
      for (String q : List.of("sum(rate(rpc_duration_seconds{source=\"grafana\"}[1m0s]))",
          "sum by (svc) (rate(rpc_duration_seconds{source=\"grafana\"}[1m0s]))",
          "histogram_quantile(0.9, sum(rate(rpc_duration_seconds{source=\"grafana\"}[1m0s])))")) {
        Map<String, Object> form = Map.of("query", q, "start", start, "end", stop, "step", 15);
        ApiClient.Answer p = prom.post("/api/v1/query_range", form);
        ApiClient.Answer k = kil.post("/api/v1/query_range", form);
        assertEquals(200, k.status(), k.raw());
        if (q.startsWith("histogram_quantile")) {
          // Prometheus 3.x (and Kiln) interpolate exponentially within a native bucket, 2.42
          // linearly: both must land in the bucket where the cumulative rate crosses 90 %.
          quantilesInTheirBucket(heatmap, p.data().path("result").path(0).path("values"));
          quantilesInTheirBucket(heatmap, k.data().path("result").path(0).path("values"));
        } else {
          assertEquals(p.body(), k.body(), q);
        }
        if (heatmap == null) {
          heatmap = k.data().path("result").path(0).path("histograms");
        }
        JsonNode result = k.data().path("result");
        assertEquals("matrix", k.data().path("resultType").asText());
        assertFalse(result.isEmpty(), q);
        for (JsonNode series : result) {
          if (q.startsWith("histogram_quantile")) {
            assertTrue(series.has("values") && !series.has("histograms"), series.toString());
          assertEquals(heatmap.size(), series.path("values").size());
            continue;
          }
          assertFalse(series.has("values"), "a series of histograms only has no values key");
          JsonNode first = series.path("histograms").path(0);
          assertTrue(first.path(0).isNumber(), first.toString());
          JsonNode h = first.path(1);
          assertTrue(h.path("count").isTextual() && h.path("sum").isTextual(), h.toString());
          for (JsonNode b : h.path("buckets")) {
            assertEquals(4, b.size());
            assertTrue(b.path(0).isInt() && b.path(0).asInt() >= 0 && b.path(0).asInt() <= 3, b.toString());
            assertTrue(b.path(1).isTextual() && b.path(2).isTextual() && b.path(3).isTextual(), b.toString());
          }
        }
      }
    }
  }

  /** Each quantile lies within the bucket of the same step's histogram that holds the 0.9 rank. */
  private static void quantilesInTheirBucket(JsonNode histograms, JsonNode values) {
    assertEquals(histograms.size(), values.size());
    for (int i = 0; i < values.size(); i++) {
      assertEquals(histograms.path(i).path(0).asDouble(), values.path(i).path(0).asDouble());
      JsonNode h = histograms.path(i).path(1);
      double rank = 0.9 * h.path("count").asDouble();
      double cumulative = 0;
      double lo = Double.NaN;
      double hi = Double.NaN;
      for (JsonNode b : h.path("buckets")) {
        cumulative += b.path(3).asDouble();
        if (cumulative >= rank * (1 - 1e-12)) {
          lo = b.path(1).asDouble();
          hi = b.path(2).asDouble();
          break;
        }
      }
      double v = values.path(i).path(1).asDouble();
      assertTrue(v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9), "quantile " + v + " outside [" + lo + ", " + hi + "] at " + i);
    }
  }
}
