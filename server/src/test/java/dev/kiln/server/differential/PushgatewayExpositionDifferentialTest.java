package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.scraper.parse.Pb;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's push groups against the real Pushgateway 1.5.1 (Debian) as each exposes them: the same
 * pushes (text and delimited protobuf, PUT, POST and DELETE, with and without empty grouping
 * labels) go to both, then the Pushgateway's {@code /metrics} is compared with the text Kiln's push
 * ingest reads, and both {@code /api/v1/metrics} answers, {@code /api/v1/status} shapes and
 * {@code /api/v1/admin/wipe} answers are compared.
 *
 * <p>Normalisation of {@code /metrics}: the Pushgateway's own families ({@code go_*},
 * {@code process_*}, {@code pushgateway_*}) are left out, and each non-zero
 * {@code push_time_seconds}/{@code push_failure_time_seconds} value becomes {@code <time>} (the
 * two servers push at other instants). Everything else, the order of families, series and labels
 * included, is compared as written.
 */
class PushgatewayExpositionDifferentialTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OWN_FAMILY = Pattern.compile("^(# (HELP|TYPE) )?(go|process|pushgateway)_.*");
  private static final Pattern PUSH_TIME = Pattern.compile("^(push_(failure_)?time_seconds\\{.*\\}) (.+)$");

  @TempDir Path dir;

  private static List<PushRequest> pushes() {
    List<PushRequest> p = new ArrayList<>();
    p.add(PushRequest.text("PUT", "/metrics/job/batch/instance/i1", """
        # HELP batch_seconds Time \\\\ spent\\nper step.
        # TYPE batch_seconds gauge
        batch_seconds{step="load",note="a\\"b"} 2.5
        batch_seconds{step="save",container=""} 4e-07
        # TYPE batch_rows_total counter
        batch_rows_total 1200
        # TYPE batch_latency histogram
        batch_latency_bucket{le="0.5",zone="a"} 3
        batch_latency_bucket{le="1.0",zone="a"} 7
        batch_latency_bucket{le="+Inf",zone="a"} 9
        batch_latency_sum{zone="a"} 6.25
        batch_latency_count{zone="a"} 9
        # TYPE batch_nobuckets histogram
        batch_nobuckets_sum 1
        batch_nobuckets_count 2
        # TYPE batch_quantiles summary
        batch_quantiles{quantile="0.5"} 0.2
        batch_quantiles{quantile="0.99"} NaN
        batch_quantiles_sum 3
        batch_quantiles_count 12
        batch_untyped +Inf
        """));
    p.add(PushRequest.text("POST", "/metrics/job/batch/instance/i1", "# HELP batch_seconds Time \\\\ spent\\nper step.\n"
        + "# TYPE batch_seconds gauge\nbatch_seconds{step=\"clean\"} 1\n"));
    // Empty grouping labels next to the same job without them.
    p.addAll(PushRequest.emptyGroupingLabels());
    p.add(PushRequest.text("PUT", "/metrics/job/ek/foo@base64/=/bar@base64/", "ek_d 6\n"));
    // Delimited protobuf: an empty grouping instance over the metric's own, an empty label, a
    // classic histogram, and a native histogram without classic buckets.
    p.add(new PushRequest("PUT", "/metrics/job/pe/instance@base64/=", PushRequest.PROTOBUF, Pb.delimited(
        Pb.msg().string(1, "pe_value").uint(3, 1).msg(4, Pb.msg().label("instance", "own").label("side", "")
            .msg(2, Pb.msg().dbl(1, 3))),
        Pb.msg().string(1, "pe_wait_seconds").string(2, "Wait.").uint(3, 4).msg(4, Pb.msg().msg(7, Pb.msg()
            .uint(1, 5).dbl(2, 2.5).msg(3, Pb.msg().dbl(2, 0.1).uint(1, 2)).msg(3, Pb.msg().dbl(2, 1).uint(1, 4)))))));
    p.add(new PushRequest("POST", "/metrics/job/pe/instance/p2", PushRequest.PROTOBUF, Pb.delimited(
        Pb.msg().string(1, "pe_native_seconds").uint(3, 4)
            .msg(4, Pb.msg().label("step", "compile").msg(7, Pb.msg().uint(1, 8).dbl(2, 12.5).sint(5, 0)
                .dbl(6, 0.001).uint(7, 1).msg(12, Pb.msg().sint(1, 0).uint(2, 3)).packedSint(13, 2, 1, -1))))));
    p.add(PushRequest.text("PUT", "/metrics/job/gone", "gone 1\n"));
    p.add(PushRequest.text("DELETE", "/metrics/job/gone", ""));
    // Refused: an empty job, a series clashing through an empty grouping label.
    p.add(PushRequest.text("PUT", "/metrics/job@base64/=", "x 1\n"));
    p.add(PushRequest.text("PUT", "/metrics/job@base64//instance/i", "x 1\n"));
    p.add(PushRequest.text("POST", "/metrics/job/ek/foo@base64/=", "ek_b{foo=\"\"} 1\n"));
    return p;
  }

  @Test
  void pushGroupsAreExposedAsThePushgatewayExposesThem() throws Exception {
    Path cfg = dir.resolve("kiln.yml");
    Files.writeString(cfg, "global: {scrape_interval: 1h}\n");
    try (ServerProcess pg = ServerProcess.pushgateway(Files.createDirectories(dir.resolve("pg")), "--web.enable-admin-api");
        KilnServer kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 86_400_000L, 0, "127.0.0.1", 0, true, true,
            false, 120_000, 50_000_000, 300_000, 4, ""))) {
      kiln.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!kiln.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String kilnBase = "http://127.0.0.1:" + kiln.address().getPort();
      String pgBase = pg.url("");
      List<String> differences = new ArrayList<>();
      for (PushRequest p : pushes()) {
        String want = PushgatewayDifferentialTest.comparable(send(pgBase, p));
        String got = PushgatewayDifferentialTest.comparable(send(kilnBase, p));
        if (!want.equals(got)) {
          differences.add(p.method() + " " + p.path() + ": Pushgateway answered [" + want + "], Kiln [" + got + "]");
        }
      }
      String pgText = pushedFamilies(get(pgBase + "/metrics").body());
      String kilnText = pushedFamilies(kiln.pushExposition());
      assertTrue(pgText.contains("ek_a{foo=\"\",instance=\"\",job=\"ek\"} 1"), pgText);
      if (!pgText.equals(kilnText)) {
        differences.add("/metrics:\n--- Pushgateway\n" + pgText + "--- Kiln\n" + kilnText);
      }
      Map<String, String> pgList = PushgatewayDifferentialTest.metricsListing(pgBase);
      Map<String, String> kilnList = PushgatewayDifferentialTest.metricsListing(kilnBase);
      if (!pgList.equals(kilnList)) {
        differences.add("/api/v1/metrics:\n--- Pushgateway\n" + String.join("\n", pgList.values())
            + "\n--- Kiln\n" + String.join("\n", kilnList.values()));
      }
      String pgStatus = statusShape(get(pgBase + "/api/v1/status"));
      String kilnStatus = statusShape(get(kilnBase + "/api/v1/status"));
      if (!pgStatus.equals(kilnStatus)) {
        differences.add("/api/v1/status: Pushgateway " + pgStatus + ", Kiln " + kilnStatus);
      }
      for (String method : List.of("DELETE", "POST", "PUT")) {
        String want = wipe(pgBase, method);
        String got = wipe(kilnBase, method);
        if (!want.equals(got)) {
          differences.add(method + " /api/v1/admin/wipe: Pushgateway [" + want + "], Kiln [" + got + "]");
        }
      }
      assertEquals("", String.join("\n", differences));
    }
  }

  /**
   * The families a push put there, with push time values normalised (see the class comment).
   */
  private static String pushedFamilies(String exposition) {
    StringBuilder sb = new StringBuilder();
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || OWN_FAMILY.matcher(line).matches()) {
        continue;
      }
      Matcher m = PUSH_TIME.matcher(line);
      sb.append(m.matches() && !m.group(3).equals("0") ? m.group(1) + " <time>" : line).append('\n');
    }
    return sb.toString();
  }

  /**
   * {@code /api/v1/status} reduced to what both servers share by design: the status, content type
   * and envelope, the keys of {@code data} and of {@code build_information}, whether every flag is
   * a string, and whether {@code start_time} is RFC 3339 in UTC and not in the future. The values
   * are each server's own (Kiln's flags and build, not the Pushgateway's).
   */
  private static String statusShape(HttpResponse<String> r) throws Exception {
    JsonNode root = JSON.readTree(r.body());
    JsonNode data = root.path("data");
    boolean flagsAreStrings = data.path("flags").isObject() && data.path("flags").size() > 0;
    for (Iterator<JsonNode> it = data.path("flags").elements(); it.hasNext(); ) {
      flagsAreStrings &= it.next().isTextual();
    }
    String start = data.path("start_time").asText();
    boolean startOk = start.endsWith("Z") && !Instant.parse(start).isAfter(Instant.now());
    return r.statusCode() + " " + r.headers().firstValue("content-type").orElse("") + " " + names(root) + " "
        + root.path("status").asText() + " data" + names(data) + " build_information" + names(data.path("build_information"))
        + " flags are strings: " + flagsAreStrings + ", start_time RFC 3339 UTC: " + startOk;
  }

  private static List<String> names(JsonNode o) {
    List<String> out = new ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** A wipe's status and, after a PUT, how many groups are left. */
  private static String wipe(String base, String method) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/wipe"))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    String answer = Integer.toString(r.statusCode());
    if (r.statusCode() == 202) {
      answer += ", groups left: " + JSON.readTree(get(base + "/api/v1/metrics").body()).path("data").size();
    }
    return answer;
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String send(String base, PushRequest p) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + p.path())).header("Content-Type", p.contentType());
    b.method(p.method(), p.body().length == 0 && p.method().equals("DELETE")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(p.body()));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().strip();
  }
}
