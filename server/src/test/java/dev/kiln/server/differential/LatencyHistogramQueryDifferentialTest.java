package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dashboard-style native-histogram queries over six hours of client_golang-like request-latency
 * histograms ({@link LatencyHistograms}: four services, two instances each, two restarts, 15 s
 * scrapes, samples 7 s off the minute grid so none sits on a window boundary), remote-written
 * (1.0) to the real Prometheus 2.42 and to Kiln, both with {@code --enable-feature=native-histograms}.
 * Rates, increases, sums, histogram_count/sum/fraction and float arithmetic, instant at five times
 * and over two ranges, must answer identically (sums up to Kahan summation's last digits); what
 * 2.42 does not do as 3.x does is listed in {@code known-differences/latency-histograms.txt}.
 * {@code histogram_quantile} differs by design (3.x interpolates exponentially within a native
 * bucket, 2.42 linearly), so each quantile is checked against both rules applied to the
 * {@code sum by (svc) (rate(...))} histograms both servers answer alike.
 */
class LatencyHistogramQueryDifferentialTest {
  private static final String X = LatencyHistograms.METRIC;
  private static final String BY_SVC = "sum by (svc) (rate(" + X + "[5m]))";
  static final List<String> QUERIES = List.of(
      "rate(" + X + "[5m])",
      "increase(" + X + "[1h])",
      BY_SVC,
      "sum(rate(" + X + "[5m]))",
      "sum by (svc) (increase(" + X + "[10m]))",
      "histogram_count(rate(" + X + "[5m]))",
      "histogram_sum(rate(" + X + "[5m]))",
      "histogram_count(" + BY_SVC + ")",
      "histogram_sum(" + BY_SVC + ") / histogram_count(" + BY_SVC + ")",
      "histogram_fraction(0, 0.125, " + BY_SVC + ")",
      "histogram_fraction(0.0625, 0.25, rate(" + X + "[5m]))",
      "histogram_count(rate(" + X + "[5m])) * 60",
      "sum by (svc) (histogram_count(increase(" + X + "[1h])))",
      "histogram_count(" + X + ") - histogram_count(" + X + " offset 1h)",
      "count by (svc) (" + X + ")",
      "resets(" + X + "[1h])",
      "avg by (svc) (rate(" + X + "[5m]))",
      BY_SVC + " * 60",
      BY_SVC + " / 2");
  private static final double[] QUANTILES = {0.5, 0.9, 0.99};

  @TempDir static Path dir;
  private static ServerPair servers;
  private static long end;

  @BeforeAll
  static void startAndLoad() throws Exception {
    Path cfg = dir.resolve("empty.yml");
    Files.writeString(cfg, "global: {scrape_interval: 1h}\n");
    servers = ServerPair.start(dir, cfg, "--enable-feature=native-histograms");
    end = System.currentTimeMillis() / 3_600_000L * 3_600_000L;
    int n = 6 * 240;
    LatencyHistograms data = new LatencyHistograms(42, end - 6 * 3_600_000L + 15_000 - 7_000, n);
    for (int from = 0; from < n; from += 40) {
      byte[] body = RemoteWriteRequests.snappy(data.request(from, from + 40));
      for (ApiClient.Answer a : servers.postToBoth("/api/v1/write", body, RemoteWriteRequests.V1_HEADERS)) {
        assertEquals(204, a.status(), a.raw());
      }
    }
  }

  @AfterAll
  static void stop() {
    if (servers != null) {
      servers.close();
    }
  }

  private static List<Map<String, Object>> requests(String q) {
    long e = end / 1000;
    List<Map<String, Object>> out = new ArrayList<>();
    for (long t : new long[] {e, e - 3600, e - 6000, e - 13_500, e - 13_740}) {
      out.add(Map.of("query", q, "time", t));
    }
    out.add(Map.of("query", q, "start", e - 3600, "end", e, "step", 60));
    out.add(Map.of("query", q, "start", e - 6 * 3600 + 600, "end", e, "step", 300));
    return out;
  }

  /** A request's times relative to the data's end, for stable difference keys. */
  private static String relative(Map<String, Object> params) {
    long e = end / 1000;
    return params.containsKey("time") ? "at end" + ((long) params.get("time") - e)
        : "range end" + ((long) params.get("start") - e) + "..end step " + params.get("step");
  }

  @Test
  void latencyHistogramQueriesAnswerAsPrometheus() throws Exception {
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    int nonEmpty = 0;
    for (String q : QUERIES) {
      for (Map<String, Object> params : requests(q)) {
        String path = params.containsKey("time") ? "/api/v1/query" : "/api/v1/query_range";
        String p = DashboardQueryDifferentialTest.answer(servers.prom, path, params);
        String k = DashboardQueryDifferentialTest.answer(servers.kil, path, params);
        compared++;
        nonEmpty += p.contains("\"result\":[]") || p.endsWith("vector []") ? 0 : 1;
        if (!p.equals(k) && !DashboardQueryDifferentialTest.withinSummationUlps(q, p, k)) {
          diffs.add("`" + q + "` " + relative(params) + DashboardQueryDifferentialTest.firstDifference(p, k));
        }
      }
    }
    System.out.println("latency histogram queries: " + QUERIES.size() + " queries, " + compared + " requests, " + nonEmpty
        + " with a non-empty answer, " + diffs.size() + " different");
    diffs.forEach(System.out::println);
    assertEquals(List.of(), KnownDifferences.load("latency-histograms").unexplained(diffs));
    assertTrue(nonEmpty > compared * 9 / 10, "answers not empty: " + nonEmpty + " of " + compared);
  }

  @Test
  void quantilesFollowEachInterpolationRule() throws Exception {
    int checked = 0;
    for (Map<String, Object> params : requests(BY_SVC)) {
      String path = params.containsKey("time") ? "/api/v1/query" : "/api/v1/query_range";
      // Each server's quantiles against its own histograms (which differ where a rate window starts
      // on a restart: the listed zero-point extrapolation).
      JsonNode kHist = servers.kil.post(path, params).data().path("result");
      JsonNode pHist = servers.prom.post(path, params).data().path("result");
      for (double q : QUANTILES) {
        Map<String, Object> qp = new java.util.HashMap<>(params);
        qp.put("query", "histogram_quantile(" + q + ", " + BY_SVC + ")");
        JsonNode p = servers.prom.post(path, qp).data().path("result");
        JsonNode k = servers.kil.post(path, qp).data().path("result");
        assertEquals(pHist.size(), p.size());
        assertEquals(kHist.size(), k.size());
        assertEquals(pHist.size(), kHist.size());
        for (int s = 0; s < kHist.size(); s++) {
          String where = q + " " + relative(params) + " " + kHist.get(s).path("metric");
          assertEquals(kHist.get(s).path("metric"), k.get(s).path("metric"));
          assertEquals(pHist.get(s).path("metric"), p.get(s).path("metric"));
          for (JsonNode[] pt : points(kHist.get(s), k.get(s))) {
            assertClose(NativeQuantiles.exponential(q, pt[0].path("buckets"), pt[0].path("count").asDouble()),
                pt[1].asDouble(), "Kiln " + where);
            checked++;
          }
          for (JsonNode[] pt : points(pHist.get(s), p.get(s))) {
            assertClose(NativeQuantiles.linear(q, pt[0].path("buckets"), pt[0].path("count").asDouble()),
                pt[1].asDouble(), "Prometheus " + where);
          }
        }
      }
    }
    System.out.println("latency histogram quantiles: " + checked + " values checked on each server (3.x rule on Kiln's,"
        + " 2.42's rule on Prometheus's)");
    assertTrue(checked > 1000, "quantiles checked: " + checked);
  }

  /** Each step's histogram with the quantile a server answered at the same time. */
  private static List<JsonNode[]> points(JsonNode hist, JsonNode quantile) {
    List<JsonNode[]> out = new ArrayList<>();
    if (hist.has("histogram")) {
      assertEquals(hist.path("histogram").path(0), quantile.path("value").path(0));
      out.add(new JsonNode[] {hist.path("histogram").path(1), quantile.path("value").path(1)});
      return out;
    }
    JsonNode hs = hist.path("histograms");
    assertEquals(hs.size(), quantile.path("values").size());
    for (int i = 0; i < hs.size(); i++) {
      assertEquals(hs.get(i).path(0), quantile.path("values").get(i).path(0));
      out.add(new JsonNode[] {hs.get(i).path(1), quantile.path("values").get(i).path(1)});
    }
    return out;
  }

  private static void assertClose(double want, double got, String what) {
    assertTrue(Math.abs(want - got) <= 1e-12 * Math.abs(want), what + ": want " + want + ", got " + got);
  }
}
