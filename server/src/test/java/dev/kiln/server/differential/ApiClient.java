package dev.kiln.server.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/** Asks one server's HTTP API and keeps the status with the parsed JSON body. */
final class ApiClient {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: the HTTP status and the JSON body (or a text node when the body is not JSON). */
  record Answer(int status, JsonNode body, String raw) {
    JsonNode data() {
      return body.path("data");
    }
  }

  private final ServerProcess server;

  ApiClient(ServerProcess server) {
    this.server = server;
  }

  ServerProcess server() {
    return server;
  }

  /** A form POST to {@code path} with the parameters; repeated keys go in as {@code key=a&key=b}. */
  Answer post(String path, Map<String, ?> params) throws Exception {
    StringJoiner form = new StringJoiner("&");
    for (Map.Entry<String, ?> e : params.entrySet()) {
      Iterable<?> values = e.getValue() instanceof Iterable<?> it ? it : java.util.List.of(e.getValue());
      for (Object v : values) {
        form.add(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
      }
    }
    HttpRequest req = HttpRequest.newBuilder(URI.create(server.url(path)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
    return answer(HTTP.send(req, HttpResponse.BodyHandlers.ofString()));
  }

  Answer get(String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(60)).GET().build();
    return answer(HTTP.send(req, HttpResponse.BodyHandlers.ofString()));
  }

  /** A raw POST (remote write), answering the status and the body text. */
  Answer postBytes(String path, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return answer(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private static Answer answer(HttpResponse<String> r) {
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (Exception e) {
      body = JSON.getNodeFactory().textNode(r.body());
    }
    if (body == null) {
      body = JSON.getNodeFactory().textNode("");
    }
    return new Answer(r.statusCode(), body, r.body());
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
