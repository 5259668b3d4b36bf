package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.scraper.parse.Pb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's push API against the real Pushgateway 1.5.1 (Debian): the same pushes (text and
 * delimited protobuf, PUT, POST and DELETE, grouping keys with {@code @base64} values, and
 * rejected bodies and paths) go to Kiln and to the Pushgateway, which the real Prometheus 2.42
 * scrapes with {@code honor_labels: true} as the Pushgateway documentation says. Compared: each
 * answer's status and error text, then what each side stores: every series Kiln ingested from
 * its pushes against every series Prometheus scraped from the Pushgateway, with their values
 * (floats and native histograms), and which groups have a push time and a failure time.
 */
class PushgatewayDifferentialTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static List<PushRequest> pushes() {
    List<PushRequest> p = new ArrayList<>();
    p.add(PushRequest.text("PUT", "/metrics/job/batch/instance/i1", """
        # HELP batch_seconds Time spent per step.
        # TYPE batch_seconds gauge
        batch_seconds{step="load"} 2.5
        batch_seconds{step="save"} 4
        # TYPE batch_rows_total counter
        batch_rows_total 1200
        # TYPE batch_latency histogram
        batch_latency_bucket{le="0.5"} 3
        batch_latency_bucket{le="1"} 7
        batch_latency_bucket{le="+Inf"} 9
        batch_latency_sum 6.25
        batch_latency_count 9
        # TYPE batch_quantiles summary
        batch_quantiles{quantile="0.5"} 0.2
        batch_quantiles_sum 3
        batch_quantiles_count 12
        """));
    // POST replaces only the families it names.
    p.add(PushRequest.text("POST", "/metrics/job/batch/instance/i1", """
        # TYPE batch_seconds gauge
        batch_seconds{step="clean"} 1
        # TYPE batch_done gauge
        batch_done 1
        """));
    // A base64 label value with a slash, empty label values, labels the grouping key overrides.
    p.add(PushRequest.text("PUT", "/metrics/job/cleanup/path@base64/L3Zhci90bXA=", """
        other{container="",job="ignored",path="elsewhere"} 7
        """));
    p.add(PushRequest.text("PUT", "/metrics/job@base64/YmF0Y2gtYjY0/instance@base64/=", "b64_job 3\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/plus/v/a+b%20c", "plus_value 1\n"));
    // A push naming push_time_seconds: the Pushgateway's own value replaces it.
    p.add(PushRequest.text("PUT", "/metrics/job/selftime", "push_time_seconds 1\nselftime_value 2\n"));
    // Errors: timestamps (a consistency error, recorded as a failed push of the group), a parse
    // error (rejected before the group is touched), a type clash with another group's family,
    // odd and reserved path labels, a method the path does not allow.
    p.add(PushRequest.text("POST", "/metrics/job/stamped", "stamped 1 1000\n"));
    p.add(PushRequest.text("POST", "/metrics/job/batch/instance/i1", "broken{ 1\n"));
    p.add(PushRequest.text("POST", "/metrics/job/clash", "# TYPE batch_seconds counter\nbatch_seconds 1\n"));
    p.add(PushRequest.text("POST", "/metrics/job/odd/b", "x 1\n"));
    p.add(PushRequest.text("POST", "/metrics/job/reserved/__x/1", "x 1\n"));
    p.add(PushRequest.text("POST", "/metrics/job/dup", "dup 1\ndup 2\n"));
    // What a Prometheus scrape takes but the Pushgateway's parser refuses: a second TYPE line,
    // labels without commas.
    p.add(PushRequest.text("POST", "/metrics/job/twotypes", "# TYPE two counter\n# TYPE two gauge\ntwo 1\n"));
    p.add(PushRequest.text("POST", "/metrics/job/nocomma", "nocomma{a=\"1\" b=\"2\"} 1\n"));
    // A refused push to a group that has pushed before: its last push is then not successful.
    p.add(PushRequest.text("POST", "/metrics/job/selftime", "late 1 1000\n"));
    // PUT with an empty body empties the group but keeps it; DELETE removes it.
    p.add(PushRequest.text("PUT", "/metrics/job/emptied", "emptied 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/emptied", ""));
    p.add(PushRequest.text("PUT", "/metrics/job/gone", "gone 1\n"));
    p.add(PushRequest.text("DELETE", "/metrics/job/gone", ""));
    // Delimited protobuf: a counter and a classic histogram, then a native histogram.
    p.add(new PushRequest("PUT", "/metrics/job/proto/instance/p1", PushRequest.PROTOBUF, Pb.delimited(
        Pb.msg().string(1, "proto_jobs_total").string(2, "Jobs.").uint(3, 0)
            .msg(4, Pb.msg().label("kind", "a").msg(3, Pb.msg().dbl(1, 41))),
        Pb.msg().string(1, "proto_wait_seconds").uint(3, 4).msg(4, Pb.msg().msg(7, Pb.msg().uint(1, 5).dbl(2, 2.5)
            .msg(3, Pb.msg().dbl(2, 0.1).uint(1, 2)).msg(3, Pb.msg().dbl(2, 1).uint(1, 4)))))));
    p.add(new PushRequest("POST", "/metrics/job/proto/instance/p1", PushRequest.PROTOBUF, Pb.delimited(
        Pb.msg().string(1, "proto_build_seconds").string(2, "Build time.").uint(3, 4)
            .msg(4, Pb.msg().label("step", "compile").msg(7, Pb.msg().uint(1, 8).dbl(2, 12.5).sint(5, 0)
                .dbl(6, 0.001).uint(7, 1).msg(12, Pb.msg().sint(1, 0).uint(2, 3)).packedSint(13, 2, 1, -1))))));
    p.add(new PushRequest("POST", "/metrics/job/proto/instance/p1", PushRequest.PROTOBUF, new byte[] {5, 10, 3}));
    // Empty grouping labels are no labels once scraped; of two series that differ only in one, a
    // scrape keeps the one exposed first.
    p.addAll(PushRequest.emptyGroupingLabels());
    p.add(new PushRequest("PUT", "/metrics/job/pe/instance@base64/=", PushRequest.PROTOBUF, Pb.delimited(
        Pb.msg().string(1, "pe_value").uint(3, 1).msg(4, Pb.msg().label("instance", "own").label("side", "")
            .msg(2, Pb.msg().dbl(1, 3))))));
    // An empty job, and grouping paths the Pushgateway refuses or decodes before splitting.
    p.add(PushRequest.text("PUT", "/metrics/job@base64/=", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job@base64/=/odd", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/b64/x@base64/YWJjZ", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/b64/x@base64/a+b", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/b64/x@base64/YW=Jj", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/pct/v/50%25", "pct_value 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/slash/v/a%2Fb", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job/zz-last", "zz_last 1\n"));
    return p;
  }

  @Test
  void pushesAnswerAndStoreAsThePushgatewayScrapedByPrometheus() throws Exception {
    Path kilnConfig = dir.resolve("kiln.yml");
    Files.writeString(kilnConfig, "global: {scrape_interval: 1s}\n");
    Path pg = Files.createDirectories(dir.resolve("pg"));
    try (ServerProcess pushgateway = ServerProcess.pushgateway(pg)) {
      Path promConfig = dir.resolve("prom.yml");
      Files.writeString(promConfig, """
          global: {scrape_interval: 1s, scrape_timeout: 900ms}
          scrape_configs:
            - job_name: pushgateway
              honor_labels: true
              static_configs: [{targets: ['%s']}]
          """.formatted(pushgateway.url("").substring("http://".length())));
      try (ServerProcess prometheus = ServerProcess.prometheus(promConfig, Files.createDirectories(dir.resolve("p")),
              "--enable-feature=native-histograms");
          ServerProcess kiln = ServerProcess.kiln(kilnConfig, Files.createDirectories(dir.resolve("k")),
              "--enable-feature=native-histograms")) {
        List<String> differences = new ArrayList<>();
        for (PushRequest p : pushes()) {
          String want = comparable(send(pushgateway, p));
          String got = comparable(send(kiln, p));
          if (!want.equals(got)) {
            differences.add(p.method() + " " + p.path() + ": Pushgateway answered [" + want + "], Kiln [" + got + "]");
          }
        }
        compare("/api/v1/metrics", metricsListing(pushgateway), metricsListing(kiln), differences);
        ApiClient prom = new ApiClient(prometheus);
        ApiClient kil = new ApiClient(kiln);
        String selector = "{job=~\".+\",job!=\"pushgateway\",__name__!~\"push_time_seconds|push_failure_time_seconds\"}";
        Map<String, String> p = await(prom, selector);
        Map<String, String> k = await(kil, selector);
        assertTrue(p.size() > 20, "Prometheus scraped the pushed series: " + p.keySet() + "\n"
            + prom.get("/api/v1/targets").data().path("activeTargets").path(0).path("lastError"));
        compare("series", p, k, differences);
        compare("push_time_seconds", pushTimes(prom, "push_time_seconds"), pushTimes(kil, "push_time_seconds"), differences);
        compare("push_failure_time_seconds", pushTimes(prom, "push_failure_time_seconds"),
            pushTimes(kil, "push_failure_time_seconds"), differences);
        assertEquals("", String.join("\n", differences));
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private static final java.util.regex.Pattern RFC3339_NANO =
      java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{0,8}[1-9])?Z");

  /**
   * The Pushgateway's {@code /api/v1/metrics} answer: the envelope's keys, then each group's JSON
   * keyed by its grouping labels (the Pushgateway lists groups in Go's random map order, so groups
   * are compared as a set; everything inside a group, key order included, is compared as written).
   * Times differ between the two servers, so each {@code time_stamp} is checked to be RFC 3339
   * with nanoseconds and replaced by its rank among the answer's distinct times (pushes are sent
   * to both servers in the same order), and each non-zero push time value is checked to be its
   * family's {@code time_stamp} and replaced by {@code "<time_stamp>"}.
   */
  static Map<String, String> metricsListing(ServerProcess server) throws Exception {
    return metricsListing(server.url(""));
  }

  /** {@link #metricsListing(ServerProcess)} of the server at {@code base}. */
  static Map<String, String> metricsListing(String base) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Map<String, String> out = new TreeMap<>();
    out.put("(status)", r.statusCode() + " " + r.headers().firstValue("content-type").orElse(""));
    JsonNode root = JSON.readTree(r.body());
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    out.put("(envelope)", keys + " " + root.path("status").asText() + " " + root.path("data").getNodeType());
    java.util.TreeSet<java.time.Instant> times = new java.util.TreeSet<>();
    for (JsonNode g : root.path("data")) {
      g.forEach(f -> {
        if (f.has("time_stamp")) {
          times.add(java.time.Instant.parse(f.path("time_stamp").asText()));
        }
      });
    }
    List<java.time.Instant> ranked = new ArrayList<>(times);
    for (JsonNode g : root.path("data")) {
      com.fasterxml.jackson.databind.node.ObjectNode group = (com.fasterxml.jackson.databind.node.ObjectNode) g.deepCopy();
      List<String> problems = new ArrayList<>();
      group.fields().forEachRemaining(e -> {
        JsonNode f = e.getValue();
        if (!f.has("time_stamp")) {
          return;
        }
        String ts = f.path("time_stamp").asText();
        if (!RFC3339_NANO.matcher(ts).matches()) {
          problems.add("time_stamp " + ts + " is not RFC 3339 with nanoseconds");
        }
        java.time.Instant t = java.time.Instant.parse(ts);
        ((com.fasterxml.jackson.databind.node.ObjectNode) f).put("time_stamp", "t" + ranked.indexOf(t));
        if (e.getKey().equals("push_time_seconds") || e.getKey().equals("push_failure_time_seconds")) {
          for (JsonNode m : f.path("metrics")) {
            String v = m.path("value").asText();
            if (!v.equals("0")) {
              double secs = t.getEpochSecond() + t.getNano() / 1e9;
              if (Math.abs(Double.parseDouble(v) - secs) > 1e-6) {
                problems.add(e.getKey() + " " + v + " is not its time_stamp " + ts);
              }
              ((com.fasterxml.jackson.databind.node.ObjectNode) m).put("value", "<time_stamp>");
            }
          }
        }
      });
      out.put(group.path("labels").toString(), group + (problems.isEmpty() ? "" : " " + problems));
    }
    return out;
  }

  private static String send(ServerProcess server, PushRequest p) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(p.path())))
        .header("Content-Type", p.contentType());
    b.method(p.method(), p.body().length == 0 && p.method().equals("DELETE")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(p.body()));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().strip();
  }

  /**
   * An answer with what may differ left out: the text after a parse error's line number (the
   * Pushgateway's text parser and Kiln's word their errors differently) and the series in a
   * consistency error (the Pushgateway prints it in protobuf text form).
   */
  static String comparable(String answer) {
    java.util.regex.Matcher parse = java.util.regex.Pattern.compile("^(400 text format parsing error in line \\d+):.*")
        .matcher(answer);
    if (parse.matches()) {
      return parse.group(1);
    }
    // Which of the two clashing types is named depends on the order the Pushgateway gathers groups in.
    return answer.replaceAll("(collected metric \"[^\"]*\") \\{.*\\}", "$1 {...}")
        .replaceAll("is not a [A-Z_]+$", "is not a <type>");
  }

  /**
   * The series of {@code selector} now, once the last push ({@code zz_last}) is there: labels to
   * value (a float, or a native histogram's count, sum and buckets).
   */
  private static Map<String, String> await(ApiClient api, String selector) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    Map<String, String> out = instant(api, selector);
    while (System.nanoTime() < deadline && out.keySet().stream().noneMatch(s -> s.contains("zz_last"))) {
      Thread.sleep(200);
      out = instant(api, selector);
    }
    return out;
  }

  private static Map<String, String> instant(ApiClient api, String selector) throws Exception {
    ApiClient.Answer a = api.post("/api/v1/query", Map.of("query", selector));
    assertEquals(200, a.status(), api.server() + ": " + a.raw());
    Map<String, String> out = new TreeMap<>();
    for (JsonNode s : a.data().path("result")) {
      JsonNode v = s.has("histogram") ? s.path("histogram").get(1) : s.path("value").get(1);
      out.put(s.path("metric").toString(), v.toString());
    }
    return out;
  }

  /** Each group's push or failure time series: whether it is zero or a time. */
  private static Map<String, String> pushTimes(ApiClient api, String name) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : instant(api, name).entrySet()) {
      out.put(e.getKey(), e.getValue().equals("\"0\"") ? "0" : "a time");
    }
    return out;
  }

  private static void compare(String what, Map<String, String> prometheus, Map<String, String> kiln, List<String> out) {
    for (Map.Entry<String, String> e : prometheus.entrySet()) {
      String k = kiln.get(e.getKey());
      if (!e.getValue().equals(k)) {
        out.add(what + " " + e.getKey() + ": Prometheus via the Pushgateway " + e.getValue() + ", Kiln " + k);
      }
    }
    for (String key : kiln.keySet()) {
      if (!prometheus.containsKey(key)) {
        out.add(what + " " + key + ": only in Kiln, " + kiln.get(key));
      }
    }
  }
}
