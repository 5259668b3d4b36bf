package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A minimal Kubernetes API client on the JDK HTTP client: JSON lists and watch streams. One
 * instance per API server connection; thread-safe.
 */
final class KubeClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LIST_TIMEOUT = Duration.ofSeconds(60);

  private final URI server;
  private final HttpClient http;
  private final Credentials credentials;
  private final Map<String, String> headers;
  private final String userAgent;

  /**
   * @param server API server base URL (scheme, host, port and an optional path prefix)
   * @param headers extra request headers ({@code http_headers})
   */
  KubeClient(URI server, HttpClient http, Credentials credentials, Map<String, String> headers, String userAgent) {
    String s = server.toString();
    this.server = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.http = http;
    this.credentials = credentials;
    this.headers = Map.copyOf(headers);
    this.userAgent = userAgent;
  }

  URI server() {
    return server;
  }

  /** One page of a list: {@code GET path?query}. */
  JsonNode list(String path, Map<String, String> query) throws IOException, InterruptedException {
    HttpResponse<InputStream> resp = send(path, query, LIST_TIMEOUT);
    try (InputStream in = resp.body()) {
      if (resp.statusCode() != 200) {
        throw error(resp.statusCode(), in, path);
      }
      return JSON.readTree(in);
    }
  }

  /** Opens a watch stream: {@code GET path?watch=true&…}; the caller closes it. */
  WatchStream watch(String path, Map<String, String> query) throws IOException, InterruptedException {
    HttpResponse<InputStream> resp = send(path, query, LIST_TIMEOUT);
    InputStream in = resp.body();
    if (resp.statusCode() != 200) {
      try (in) {
        throw error(resp.statusCode(), in, path);
      }
    }
    return new WatchStream(in);
  }

  private HttpResponse<InputStream> send(String path, Map<String, String> query, Duration timeout)
      throws IOException, InterruptedException {
    StringBuilder q = new StringBuilder();
    query.forEach((k, v) -> {
      q.append(q.length() == 0 ? '?' : '&');
      q.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    URI uri = URI.create(server + path + q);
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(timeout);
    headers.forEach(rb::header);
    rb.setHeader("Accept", "application/json").setHeader("User-Agent", userAgent);
    String auth = credentials.header();
    if (auth != null) {
      rb.header("Authorization", auth);
    }
    HttpResponse<InputStream> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() == 401) {
      credentials.invalidate();
    }
    return resp;
  }

  private static ApiException error(int status, InputStream in, String path) {
    String message = "";
    try {
      byte[] body = in.readNBytes(64 * 1024);
      message = new String(body, StandardCharsets.UTF_8).strip();
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("message")) {
        message = n.get("message").asText();
      }
    } catch (IOException | RuntimeException e) {
      // Keep the raw text (or nothing) as the message.
    }
    return new ApiException(status, "GET " + path + ": HTTP " + status + (message.isEmpty() ? "" : ": " + message));
  }

  /** A watch response: JSON events one after another until the server ends the stream. */
  static final class WatchStream implements Closeable {
    private final InputStream in;
    private final MappingIterator<JsonNode> events;

    WatchStream(InputStream in) throws IOException {
      this.in = in;
      this.events = JSON.readerFor(JsonNode.class).readValues(in);
    }

    /** The next event, or null when the server closed the stream. */
    JsonNode next() throws IOException {
      try {
        return events.hasNextValue() ? events.nextValue() : null;
      } catch (RuntimeException e) {
        throw new IOException("bad watch event: " + e.getMessage(), e);
      }
    }

    /** Ends the stream; a thread blocked in {@link #next()} returns or fails. */
    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
