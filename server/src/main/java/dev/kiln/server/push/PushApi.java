package dev.kiln.server.push;

import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The Pushgateway HTTP API on Kiln's port: {@code /metrics/job/...}, {@code /api/v1/metrics},
 * {@code /api/v1/status} and, with the admin API on, {@code PUT /api/v1/admin/wipe}.
 */
public final class PushApi {
  private final PushStore store;
  private final Clock clock;
  private final boolean adminEnabled;
  private final PushStatus status;

  public PushApi(PushStore store, Clock clock, boolean adminEnabled, PushStatus status) {
    this.store = store;
    this.clock = clock;
    this.adminEnabled = adminEnabled;
    this.status = status;
  }

  public void register(Router router) {
    router.add(Set.of("PUT", "POST", "DELETE"), "/metrics/*", this::push);
    router.read("/api/v1/metrics", this::list);
    router.read("/api/v1/status", r -> ApiResponses.success(status::write));
    if (adminEnabled) {
      // As the Pushgateway: without the admin API the path is unknown (404); with it, PUT only.
      router.add(Set.of("PUT"), "/api/v1/admin/wipe", r -> {
        store.wipe();
        return Response.empty(202);
      });
    }
  }

  private Response push(Request r) throws IOException {
    String clean = cleanPath(r.path());
    if (!clean.equals(r.path())) {
      // Go's ServeMux, in front of the Pushgateway's router, redirects a path that is not clean.
      return Response.empty(301).withHeader("Location", clean);
    }
    String rest = r.path().substring("/metrics/".length());
    if (!rest.startsWith("job/") && !rest.startsWith("job@base64/")) {
      return Response.text(404, "404 page not found\n");
    }
    if (rest.equals("job/") || rest.equals("job@base64/")) {
      // The Pushgateway's router redirects a trailing slash to /metrics/job, which it does not serve.
      return Response.empty(307).withHeader("Location", r.path().substring(0, r.path().length() - rest.length()) + "job");
    }
    GroupingKey key;
    try {
      key = GroupingKeyParser.parse(rest);
    } catch (PushException e) {
      return Response.text(400, e.getMessage() + "\n");
    }
    if (r.method().equals("DELETE")) {
      store.delete(key);
      return Response.empty(202);
    }
    byte[] body;
    try {
      body = decompress(r);
    } catch (IOException e) {
      return Response.text(400, "cannot decompress body: " + e.getMessage() + "\n");
    }
    boolean replaceAll = r.method().equals("PUT");
    java.time.Instant at = clock.instant();
    long now = at.getEpochSecond() * 1_000_000_000L + at.getNano();
    try {
      if (isDelimitedProtobuf(r.header("content-type"))) {
        store.pushProtobuf(key, body, replaceAll, now);
      } else {
        store.push(key, new String(body, StandardCharsets.UTF_8), replaceAll, now);
      }
    } catch (PushException e) {
      return Response.text(400, e.getMessage() + "\n");
    }
    return Response.empty(200);
  }

  /**
   * {@code path} as Go's {@code path.Clean} leaves it (repeated slashes joined, {@code .} and
   * {@code ..} resolved), a trailing slash kept, as Go's ServeMux cleans request paths.
   */
  static String cleanPath(String path) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    String clean = "/" + String.join("/", parts);
    return path.endsWith("/") && !clean.equals("/") ? clean + "/" : clean;
  }

  /**
   * Whether the body is in the delimited protobuf format, as the Pushgateway decides: the protobuf
   * media type with {@code proto=io.prometheus.client.MetricFamily} and {@code encoding=delimited}.
   */
  static boolean isDelimitedProtobuf(String contentType) {
    if (contentType == null || !contentType.contains(";")) {
      return false;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/vnd.google.protobuf")) {
      return false;
    }
    String proto = null;
    String encoding = null;
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0) {
        String v = p.substring(eq + 1).trim();
        switch (p.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT)) {
          case "proto" -> proto = v;
          case "encoding" -> encoding = v;
          default -> { }
        }
      }
    }
    return "io.prometheus.client.MetricFamily".equals(proto) && "delimited".equals(encoding);
  }

  private static byte[] decompress(Request r) throws IOException {
    String enc = r.header("content-encoding");
    if (enc != null && enc.equalsIgnoreCase("gzip")) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
        return in.readAllBytes();
      }
    }
    if (enc != null && enc.equalsIgnoreCase("snappy")) {
      return org.xerial.snappy.Snappy.uncompress(r.body());
    }
    return r.body();
  }

  private Response list(Request r) {
    return ApiResponses.success(out -> PushedMetricsJson.write(out, store.groups()));
  }
}
