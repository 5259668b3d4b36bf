package dev.kiln.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.KilnOptions;
import dev.kiln.server.KilnServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryFormatApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private KilnServer kiln;
  private String base;

  @BeforeEach
  void start() throws Exception {
    Path cfg = dir.resolve("kiln.yml");
    Files.writeString(cfg, "global: {scrape_interval: 15s}\n");
    kiln = new KilnServer(new KilnOptions(cfg, dir.resolve("data"), 15 * 86_400_000L, 0, "127.0.0.1", 0, true, false,
        false, 120_000, 50_000_000, 300_000, 4, ""));
    kiln.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!kiln.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    base = "http://127.0.0.1:" + kiln.address().getPort();
  }

  @AfterEach
  void stop() {
    kiln.close();
  }

  private HttpResponse<String> get(String path, String query) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path + "?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void formatQueryAnswersTheCanonicalFormAndDropsComments() throws Exception {
    HttpResponse<String> r = get("/api/v1/format_query", "sum(rate(x{b=\"1\",a=~\"2\"}[300s])) by (job) # per job");
    assertEquals(200, r.statusCode());
    assertEquals("sum by (job) (rate(x{a=~\"2\",b=\"1\"}[5m]))", JSON.readTree(r.body()).path("data").asText());
  }

  @Test
  void syntaxErrorsAreBadData() throws Exception {
    for (String path : new String[] {"/api/v1/format_query", "/api/v1/parse_query"}) {
      HttpResponse<String> r = get(path, "foo +");
      assertEquals(400, r.statusCode());
      JsonNode body = JSON.readTree(r.body());
      assertEquals("error", body.path("status").asText());
      assertEquals("bad_data", body.path("errorType").asText());
      assertEquals("invalid parameter \"query\": 1:6: parse error: unexpected end of input", body.path("error").asText());
    }
  }

  @Test
  void parseQueryAnswersTheTreeAsTheWebUiReadsIt() throws Exception {
    HttpResponse<String> r = get("/api/v1/parse_query",
        "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m] offset 1m)) / on (job) group_left up @ 100");
    assertEquals(200, r.statusCode());
    JsonNode expected = JSON.readTree("""
        {"bool":false,
         "lhs":{"expr":{"args":[{"anchored":false,
                                 "matchers":[{"name":"code","type":"=~","value":"5.."},
                                             {"name":"__name__","type":"=","value":"http_requests_total"}],
                                 "name":"http_requests_total","offset":60000,"range":300000,"smoothed":false,
                                 "startOrEnd":null,"timestamp":null,"type":"matrixSelector"}],
                        "func":{"argTypes":["matrix"],"name":"rate","returnType":"vector","variadic":0},
                        "type":"call"},
                "grouping":["job"],"op":"sum","param":null,"type":"aggregation","without":false},
         "matching":{"card":"many-to-one","fillValues":{"lhs":null,"rhs":null},"include":[],"labels":["job"],"on":true},
         "op":"/",
         "rhs":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"up"}],"name":"up","offset":0,
                "smoothed":false,"startOrEnd":null,"timestamp":100000,"type":"vectorSelector"},
         "type":"binaryExpr"}
        """);
    assertEquals(expected, JSON.readTree(r.body()).path("data"));
    JsonNode scalar = JSON.readTree(get("/api/v1/parse_query", "-1 + 2 * time()").body()).path("data");
    assertEquals("{\"bool\":false,\"lhs\":{\"type\":\"numberLiteral\",\"val\":\"-1\"},\"matching\":null,\"op\":\"+\","
        + "\"rhs\":{\"bool\":false,\"lhs\":{\"type\":\"numberLiteral\",\"val\":\"2\"},\"matching\":null,\"op\":\"*\","
        + "\"rhs\":{\"args\":[],\"func\":{\"argTypes\":[],\"name\":\"time\",\"returnType\":\"scalar\",\"variadic\":0},"
        + "\"type\":\"call\"},\"type\":\"binaryExpr\"},\"type\":\"binaryExpr\"}", scalar.toString());
  }
}
