package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.remotewrite.proto.v1.Exemplar;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus 2.42 and Kiln, both with {@code --enable-feature=exemplar-storage}, scrape one
 * OpenMetrics page with exemplars (counter, histogram buckets, a page version with a newer and an
 * out-of-order exemplar) and receive the same remote-write 1.0 exemplars; their
 * {@code /api/v1/query_exemplars} answers must be identical, as must the answers without the flag.
 */
class ExemplarDifferentialTest {
  private static final String OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static final String PAGE_1 = """
      # TYPE http_requests counter
      http_requests_total{code="200"} 10 # {trace_id="abc"} 1 1700000000.123
      http_requests_total{code="500"} 2 # {trace_id="def",span_id="x1"} 1 1700000000.5
      # TYPE latency_seconds histogram
      latency_seconds_bucket{le="0.1"} 2 # {trace_id="t1"} 0.05 1700000001
      latency_seconds_bucket{le="2.5"} 5 # {trace_id="t2"} 0.5 1700000001.25
      latency_seconds_bucket{le="+Inf"} 6 # {trace_id="t3",empty=""} 7.5 1700000002
      latency_seconds_count 6
      latency_seconds_sum 3.2
      # TYPE temp gauge
      temp 21.5
      # EOF
      """;

  private static final String PAGE_2 = """
      # TYPE http_requests counter
      http_requests_total{code="200"} 11 # {trace_id="abd"} 1 1700000010
      http_requests_total{code="500"} 3 # {trace_id="old"} 1 1699999999
      # TYPE latency_seconds histogram
      latency_seconds_bucket{le="0.1"} 2 # {trace_id="t1"} 0.05 1700000001
      latency_seconds_bucket{le="2.5"} 6 # {trace_id="t4"} 0.75 1700000011
      latency_seconds_bucket{le="+Inf"} 7
      latency_seconds_count 7
      latency_seconds_sum 3.9
      # TYPE temp gauge
      temp 22
      # EOF
      """;

  private static final List<String> QUERIES = List.of(
      "http_requests_total",
      "latency_seconds_bucket{le=~\"0.1|2.5\"}",
      "{job=\"om\"}",
      "rate(http_requests_total{code=\"500\"}[5m]) + on() group_left sum(latency_seconds_bucket)",
      "temp",
      "1 + 1",
      ")",
      "");

  private static String[] answers(ServerPair pair, String query, String range) throws Exception {
    String path = "/api/v1/query_exemplars?query=" + ApiClient.encode(query) + range;
    ApiClient.Answer p = pair.prom.get(path);
    ApiClient.Answer k = pair.kil.get(path);
    return new String[] {p.status() + " " + p.raw().trim(), k.status() + " " + k.raw().trim()};
  }

  /** The answer's JSON body, or the empty string for an answer without body. */
  private static Object tree(String answer) throws Exception {
    String body = answer.substring(4);
    return body.isEmpty() ? "" : JSON.readTree(body);
  }

  private static void assertSameAnswers(ServerPair pair, String range) throws Exception {
    for (String q : QUERIES) {
      String[] a = answers(pair, q, range);
      assertEquals(a[0].substring(0, 3), a[1].substring(0, 3), "status of " + q + ": " + a[0] + " / " + a[1]);
      if (q.equals(")")) {
        // A parse error: the text is the PromQL parser's (its positions differ from 2.42's, see promql.md).
        assertEquals(((JsonNode) tree(a[0])).path("errorType"), ((JsonNode) tree(a[1])).path("errorType"), a[1]);
        continue;
      }
      assertEquals(tree(a[0]), tree(a[1]), "query_exemplars " + q + range);
    }
  }

  private static void awaitScrapes(ExporterStub exporter, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline && (exporter.scrapes("Prometheus", "/metrics") < n || exporter.scrapes("Kiln", "/metrics") < n)) {
      Thread.sleep(100);
    }
    assertTrue(exporter.scrapes("Prometheus", "/metrics") >= n && exporter.scrapes("Kiln", "/metrics") >= n, "both scraped");
  }

  @Test
  void scrapedAndRemoteWrittenExemplarsAnswerAsPrometheus() throws Exception {
    try (ExporterStub exporter = new ExporterStub()) {
      exporter.serve("/metrics", new ExporterStub.Page(PAGE_1, OM));
      Path config = dir.resolve("scrape.yml");
      Files.writeString(config, "global: {scrape_interval: 1s, scrape_timeout: 900ms}\nstorage: {exemplars: {max_exemplars: 50}}\n"
          + "scrape_configs:\n  - job_name: om\n    static_configs: [{targets: ['" + exporter.address() + "']}]\n");
      try (ServerPair pair = ServerPair.start(dir, config, "--enable-feature=exemplar-storage")) {
        awaitScrapes(exporter, 2);
        JsonNode all = JSON.readTree(answers(pair, "{job=\"om\"}", "")[0].substring(4)).path("data");
        assertEquals(5, all.size(), "Prometheus stored exemplars of five series: " + all);
        assertSameAnswers(pair, "");
        assertSameAnswers(pair, "&start=1700000000.4&end=1700000001.1");
        assertSameAnswers(pair, "&start=1700000002&end=1700000001");
        exporter.serve("/metrics", new ExporterStub.Page(PAGE_2, OM));
        awaitScrapes(exporter, 2);
        assertSameAnswers(pair, "");
        assertSameAnswers(pair, "&start=1700000005");

        long now = System.currentTimeMillis();
        WriteRequest.Builder req = WriteRequest.newBuilder();
        req.addTimeseries(TimeSeries.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("rw_total"))
            .addLabels(Label.newBuilder().setName("job").setValue("rw"))
            .addSamples(Sample.newBuilder().setTimestamp(now).setValue(1))
            .addExemplars(Exemplar.newBuilder().setValue(0.25).setTimestamp(now - 1000)
                .addLabels(Label.newBuilder().setName("trace_id").setValue("rw1")))
            .addExemplars(Exemplar.newBuilder().setValue(0.5).setTimestamp(now - 500)
                .addLabels(Label.newBuilder().setName("trace_id").setValue("rw2")))
            .addExemplars(Exemplar.newBuilder().setValue(0.5).setTimestamp(now - 900)
                .addLabels(Label.newBuilder().setName("trace_id").setValue("late")))
            .addExemplars(Exemplar.newBuilder().setValue(1).setTimestamp(now - 400)
                .addLabels(Label.newBuilder().setName("trace_id").setValue("x".repeat(130)))));
        req.addTimeseries(TimeSeries.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("rw_only_exemplar"))
            .addExemplars(Exemplar.newBuilder().setValue(3).setTimestamp(now)));
        for (ApiClient.Answer a : pair.postToBoth("/api/v1/write", RemoteWriteRequests.snappy(req.build()), RemoteWriteRequests.V1_HEADERS)) {
          assertEquals(204, a.status(), a.raw());
        }
        for (String q : List.of("{job=\"rw\"}", "{__name__=~\"rw.*\"}")) {
          String[] a = answers(pair, q, "");
          assertEquals(JSON.readTree(a[0].substring(4)), JSON.readTree(a[1].substring(4)), q);
        }
        JsonNode rw = JSON.readTree(answers(pair, "{job=\"rw\"}", "")[1].substring(4)).path("data");
        assertEquals(2, rw.path(0).path("exemplars").size(), "two remote-written exemplars kept: " + rw);
      }
    }
  }

  @Test
  void withoutTheFlagNoExemplarIsKept() throws Exception {
    try (ExporterStub exporter = new ExporterStub()) {
      exporter.serve("/metrics", new ExporterStub.Page(PAGE_1, OM));
      Path config = dir.resolve("scrape.yml");
      Files.writeString(config, "global: {scrape_interval: 1s, scrape_timeout: 900ms}\n"
          + "scrape_configs:\n  - job_name: om\n    static_configs: [{targets: ['" + exporter.address() + "']}]\n");
      try (ServerPair pair = ServerPair.start(dir, config)) {
        awaitScrapes(exporter, 1);
        assertSameAnswers(pair, "");
        String[] a = answers(pair, "{job=\"om\"}", "");
        assertEquals("[]", JSON.readTree(a[1].substring(4)).path("data").toString());
      }
    }
  }

  /** A reload with a smaller {@code max_exemplars} keeps the newest exemplars that fit; 0 keeps none. */
  @Test
  void reloadResizesTheStoreAsPrometheus() throws Exception {
    Path config = dir.resolve("rw.yml");
    Files.writeString(config, "global: {scrape_interval: 1h}\nstorage: {exemplars: {max_exemplars: 10}}\n");
    try (ServerPair pair = ServerPair.start(dir, config, "--enable-feature=exemplar-storage", "--web.enable-lifecycle")) {
      long now = System.currentTimeMillis();
      WriteRequest.Builder req = WriteRequest.newBuilder();
      for (int i = 0; i < 3; i++) {
        TimeSeries.Builder ts = TimeSeries.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("rs_total"))
            .addLabels(Label.newBuilder().setName("i").setValue(Integer.toString(i)))
            .addSamples(Sample.newBuilder().setTimestamp(now).setValue(i));
        for (int k = 0; k < 2; k++) {
          ts.addExemplars(Exemplar.newBuilder().setValue(k).setTimestamp(now - 100 + 10 * k)
              .addLabels(Label.newBuilder().setName("trace_id").setValue(i + "-" + k)));
        }
        req.addTimeseries(ts);
      }
      for (ApiClient.Answer a : pair.postToBoth("/api/v1/write", RemoteWriteRequests.snappy(req.build()), RemoteWriteRequests.V1_HEADERS)) {
        assertEquals(204, a.status(), a.raw());
      }
      for (String size : List.of("3", "0", "5")) {
        Files.writeString(config, "global: {scrape_interval: 1h}\nstorage: {exemplars: {max_exemplars: " + size + "}}\n");
        for (ApiClient.Answer a : pair.postToBoth("/-/reload", new byte[0], java.util.Map.of())) {
          assertEquals(200, a.status(), a.raw());
        }
        String[] a = answers(pair, "rs_total", "");
        assertEquals(tree(a[0]), tree(a[1]), "after resizing to " + size);
        if (size.equals("3")) {
          assertEquals(2, ((JsonNode) tree(a[1])).path("data").size(), "the newest three exemplars of two series: " + a[1]);
        }
      }
    }
  }
}
