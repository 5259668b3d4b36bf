package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.scraper.parse.Pb;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus 2.42 and Kiln, both with {@code --enable-feature=native-histograms}, scrape
 * one fake exporter serving a protobuf page (integer and float native, classic and gauge
 * histograms, a counter, a summary); then the series each stored and their latest values, native histograms included, are
 * compared through {@code /api/v1/query}.
 */
class ProtobufScrapeDifferentialTest {
  private static final String PROTO =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

  @TempDir Path dir;

  static byte[] page() {
    Pb nativeHist = Pb.msg().uint(1, 9).dbl(2, 20.5).sint(5, 3).dbl(6, 0.001).uint(7, 1)
        .msg(12, Pb.msg().sint(1, -2).uint(2, 3)).msg(12, Pb.msg().sint(1, 3).uint(2, 2))
        .packedSint(13, 1, 0, -1, 3, -2)
        .msg(9, Pb.msg().sint(1, 1).uint(2, 1)).packedSint(10, 2)
        .msg(3, Pb.msg().uint(1, 4).dbl(2, 0.5)).msg(3, Pb.msg().uint(1, 9).dbl(2, 2));
    Pb classic = Pb.msg().uint(1, 7).dbl(2, 3.25)
        .msg(3, Pb.msg().uint(1, 2).dbl(2, 0.1)).msg(3, Pb.msg().uint(1, 6).dbl(2, 1));
    Pb gaugeHist = Pb.msg().uint(1, 5).dbl(2, -1.5).sint(5, 0).dbl(6, 0)
        .msg(12, Pb.msg().sint(1, 0).uint(2, 2)).packedSint(13, 1, 2)
        .msg(9, Pb.msg().sint(1, 0).uint(2, 1)).packedSint(10, 1);
    Pb summary = Pb.msg().uint(1, 5).dbl(2, 2.5).msg(3, Pb.msg().dbl(1, 0.5).dbl(2, 0.4))
        .msg(3, Pb.msg().dbl(1, 0.99).dbl(2, 0.9));
    Pb floatHist = Pb.msg().dbl(4, 6.5).dbl(2, 3).sint(5, 1).dbl(6, 0.01).dbl(8, 0.5)
        .msg(12, Pb.msg().sint(1, 0).uint(2, 3)).packedDoubles(14, 2.5, 0, 3.5);
    return Pb.delimited(
        Pb.msg().string(1, "float_seconds").uint(3, 4).msg(4, Pb.msg().msg(7, floatHist)),
        Pb.msg().string(1, "rpc_seconds").string(2, "RPC latency.").uint(3, 4)
            .msg(4, Pb.msg().label("svc", "a").msg(7, nativeHist)),
        Pb.msg().string(1, "classic_seconds").uint(3, 4).msg(4, Pb.msg().label("svc", "b").msg(7, classic)),
        Pb.msg().string(1, "queue_size").uint(3, 5).msg(4, Pb.msg().msg(7, gaugeHist)),
        Pb.msg().string(1, "jobs_total").uint(3, 0).msg(4, Pb.msg().label("k", "x").msg(3, Pb.msg().dbl(1, 42))),
        Pb.msg().string(1, "rpc_summary").uint(3, 2).msg(4, Pb.msg().msg(4, summary)));
  }

  @Test
  void prometheusAndKilnStoreTheSameSeriesAndHistogramsFromAProtobufPage() throws Exception {
    byte[] body = page();
    Map<String, AtomicInteger> scrapes = new ConcurrentHashMap<>();
    Map<String, String> accepts = new ConcurrentHashMap<>();
    HttpServer exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    exporter.createContext("/metrics", ex -> {
      String agent = String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")).split("/", 2)[0];
      accepts.put(agent, String.valueOf(ex.getRequestHeaders().getFirst("Accept")));
      try (ex) {
        ex.getResponseHeaders().set("Content-Type", PROTO);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
      scrapes.computeIfAbsent(agent, k -> new AtomicInteger()).incrementAndGet();
    });
    exporter.start();
    Path config = dir.resolve("scrape.yml");
    Files.writeString(config, "global: {scrape_interval: 1s, scrape_timeout: 900ms}\nscrape_configs:\n"
        + "  - job_name: proto\n    static_configs: [{targets: ['127.0.0.1:" + exporter.getAddress().getPort() + "']}]\n");
    try (ServerProcess prometheus = ServerProcess.prometheus(config, Files.createDirectories(dir.resolve("prom-data")),
            "--enable-feature=native-histograms");
        ServerProcess kiln = ServerProcess.kiln(config, Files.createDirectories(dir.resolve("kiln-data")),
            "--enable-feature=native-histograms")) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline && (count(scrapes, "Prometheus") < 2 || count(scrapes, "Kiln") < 2)) {
        Thread.sleep(100);
      }
      assertTrue(count(scrapes, "Prometheus") >= 2 && count(scrapes, "Kiln") >= 2, "both scraped twice: " + scrapes);
      assertTrue(accepts.get("Prometheus").startsWith("application/vnd.google.protobuf"), accepts.toString());
      assertTrue(accepts.get("Kiln").startsWith("application/vnd.google.protobuf"), accepts.toString());
      ApiClient prom = new ApiClient(prometheus);
      ApiClient kil = new ApiClient(kiln);
      String query = "{job=\"proto\"}";
      JsonNode p = prom.get("/api/v1/query?query=" + ApiClient.encode(query)).data().path("result");
      JsonNode k = kil.get("/api/v1/query?query=" + ApiClient.encode(query)).data().path("result");
      Map<String, JsonNode> ps = bySeries(p);
      Map<String, JsonNode> ks = bySeries(k);
      assertEquals(ps.keySet(), ks.keySet(), "same series; Prometheus targets: "
          + prom.get("/api/v1/targets").data().path("activeTargets"));
      String instance = "127.0.0.1:" + exporter.getAddress().getPort();
      JsonNode rpc = ps.get("{__name__=rpc_seconds, instance=" + instance + ", job=proto, svc=a}");
      assertTrue(rpc != null && rpc.path("histogram").path(0).path("buckets").size() == 6, "native histogram: " + rpc);
      JsonNode gauge = ps.get("{__name__=queue_size, instance=" + instance + ", job=proto}");
      assertTrue(gauge != null && gauge.has("histogram"), "gauge histogram: " + gauge);
      JsonNode floats = ps.get("{__name__=float_seconds, instance=" + instance + ", job=proto}");
      assertTrue(floats != null && floats.path("histogram").path(0).path("count").asText().equals("6.5"),
          "float histogram: " + floats);
      for (String s : ps.keySet()) {
        if (s.startsWith("{__name__=scrape_duration_seconds,")) {
          continue; // a measurement, not data
        }
        assertEquals(ps.get(s), ks.get(s), s);
      }
    } finally {
      exporter.stop(0);
    }
  }

  private static int count(Map<String, AtomicInteger> m, String agent) {
    AtomicInteger n = m.get(agent);
    return n == null ? 0 : n.get();
  }

  /** Each series' value or histogram without its timestamp (the two servers scrape at different times). */
  private static Map<String, JsonNode> bySeries(JsonNode result) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    for (JsonNode r : result) {
      ObjectNode v = ((ObjectNode) r).deepCopy();
      for (String f : List.of("value", "histogram")) {
        if (v.has(f)) {
          ((ArrayNode) v.get(f)).remove(0);
        }
      }
      v.remove("metric");
      out.put(new java.util.TreeMap<>(toMap(r.path("metric"))).toString(), v);
    }
    return out;
  }

  private static Map<String, String> toMap(JsonNode metric) {
    Map<String, String> m = new java.util.HashMap<>();
    metric.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }
}
