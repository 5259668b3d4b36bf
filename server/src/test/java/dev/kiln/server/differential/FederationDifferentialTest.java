package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.server.exposition.proto.MetricFamily;
import dev.kiln.server.exposition.proto.MetricType;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus 2.42 and Kiln, both with native histograms enabled and the same external
 * labels, receive the same native histograms and floats by remote write; then {@code /federate}
 * is asked of both, once in text format and once in delimited protobuf, and the answers must be
 * the same: the text byte for byte (histograms left out), the protobuf message for message
 * (histograms included, gauge histograms in their own families).
 */
class FederationDifferentialTest {
  static final String PROTO =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
          + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void federationAnswersAsPrometheusDoesInTextAndProtobuf() throws Exception {
    Path config = dir.resolve("p.yml");
    Files.writeString(config, "global: {scrape_interval: 1h, external_labels: {region: eu, source: ignored}}\n");
    long end = System.currentTimeMillis() - 1000;
    byte[] body = HistogramWrites.request("fed", end, 10, 42);
    try (ServerPair pair = ServerPair.nativeHistogramsWith(dir, config, body)) {
      ServerProcess prometheus = pair.prometheus;
      ServerProcess kiln = pair.kiln;
      String path = "/federate?match[]=" + ApiClient.encode("{source=\"fed\"}") + "&match[]="
          + ApiClient.encode("{__name__=~\"rpc_.*\"}");
      HttpResponse<byte[]> pt = get(prometheus, path, null);
      HttpResponse<byte[]> kt = get(kiln, path, null);
      String promText = new String(pt.body(), StandardCharsets.UTF_8);
      assertTrue(promText.contains("jobs_done_total{k=\"a\",source=\"fed\",instance=\"\",region=\"eu\"}"), promText);
      assertEquals(promText, new String(kt.body(), StandardCharsets.UTF_8));
      assertEquals(pt.headers().firstValue("Content-Type"), kt.headers().firstValue("Content-Type"));

      HttpResponse<byte[]> pp = get(prometheus, path, PROTO);
      HttpResponse<byte[]> kp = get(kiln, path, PROTO);
      assertEquals(pp.headers().firstValue("Content-Type"), kp.headers().firstValue("Content-Type"));
      List<MetricFamily> promFamilies = families(pp.body());
      List<MetricFamily> kilnFamilies = families(kp.body());
      assertEquals(List.of("jobs_done_total", "queue_fill_ratio", "rpc_duration_seconds", "temperature_celsius"),
          promFamilies.stream().map(MetricFamily::getName).toList());
      assertEquals(MetricType.GAUGE_HISTOGRAM, promFamilies.get(3).getType());
      assertEquals(3, promFamilies.get(2).getMetricCount());
      assertEquals(promFamilies.toString(), kilnFamilies.toString());
      assertEquals(promFamilies, kilnFamilies);
      System.out.println("federation protobuf: " + pp.body().length + " bytes from Prometheus, byte-identical: "
          + java.util.Arrays.equals(pp.body(), kp.body()));
    }
  }

  static HttpResponse<byte[]> get(ServerProcess s, String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url(path)));
    if (accept != null) {
      b.header("Accept", accept);
    }
    HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), s + " " + path + ": " + new String(r.body(), StandardCharsets.UTF_8));
    return r;
  }

  static List<MetricFamily> families(byte[] body) throws Exception {
    List<MetricFamily> out = new ArrayList<>();
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    MetricFamily f;
    while ((f = MetricFamily.parseDelimitedFrom(in)) != null) {
      out.add(f);
    }
    return out;
  }
}
