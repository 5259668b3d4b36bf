package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Kubernetes API server on 127.0.0.1 for tests: keeps objects per resource with resource
 * versions, serves paged lists and watch streams (chunked, one JSON event per line) for
 * {@code /api/v1/...} and {@code /apis/<group>/<version>/...}, namespaced or not, and filters by
 * namespace (selectors are only recorded). It can expire old resource versions (410 Gone), fail
 * requests, and end open watches.
 */
final class FakeKubeApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PATH = Pattern.compile(
      "^(/api/v1|/apis/[^/]+/[^/]+)(?:/namespaces/([^/]+))?/([a-z]+)$");
  private static final JsonNode CLOSE = JSON.createObjectNode();

  /** One recorded request. */
  record Request(String path, Map<String, String> query, String authorization) {}

  private record Event(long rv, String resource, String type, JsonNode object) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-kube-api");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Map<String, ObjectNode>> objects = new LinkedHashMap<>();
  private final List<Event> history = new ArrayList<>();
  private final List<BlockingQueue<JsonNode>> watchers = new CopyOnWriteArrayList<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  private long rv = 1000;
  private long expiredBefore;
  private int failNext;
  private int failStatus;
  private int pageSize = 0;
  private String requiredAuthorization;

  FakeKubeApi() throws IOException {
    this(null);
  }

  /** Serves HTTPS with {@code tls} when it is not null. */
  FakeKubeApi(javax.net.ssl.SSLContext tls) throws IOException {
    InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(addr, 0);
    } else {
      com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(addr, 0);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      server = https;
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  URI url() {
    String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** From now on, requests without {@code Authorization: <header>} get 401. */
  synchronized void requireAuthorization(String header) {
    requiredAuthorization = header;
  }

  /** Lists are answered in pages of this many items (0 = all at once), to exercise {@code continue}. */
  synchronized void pageSize(int n) {
    pageSize = n;
  }

  /** The next {@code n} requests fail with {@code status}. */
  synchronized void failNext(int n, int status) {
    failNext = n;
    failStatus = status;
  }

  /** Adds or replaces an object (ADDED or MODIFIED event). */
  void put(String resource, String json) {
    put(resource, (ObjectNode) parse(json));
  }

  synchronized void put(String resource, ObjectNode obj) {
    ObjectNode meta = (ObjectNode) obj.get("metadata");
    String key = key(obj);
    Map<String, ObjectNode> m = objects.computeIfAbsent(resource, r -> new LinkedHashMap<>());
    String type = m.containsKey(key) ? "MODIFIED" : "ADDED";
    meta.put("resourceVersion", Long.toString(++rv));
    m.put(key, obj);
    publish(new Event(rv, resource, type, obj.deepCopy()));
  }

  /** Deletes an object (DELETED event with its final state). */
  synchronized void delete(String resource, String namespace, String name) {
    Map<String, ObjectNode> m = objects.getOrDefault(resource, Map.of());
    ObjectNode obj = m.remove(namespace == null ? name : namespace + "/" + name);
    if (obj == null) {
      throw new IllegalArgumentException("no " + resource + " " + namespace + "/" + name);
    }
    ((ObjectNode) obj.get("metadata")).put("resourceVersion", Long.toString(++rv));
    publish(new Event(rv, resource, "DELETED", obj));
  }

  /** Changes an object without any watch event (as if the event were lost); only a new list sees it. */
  synchronized void putSilently(String resource, String json) {
    ObjectNode obj = (ObjectNode) parse(json);
    ((ObjectNode) obj.get("metadata")).put("resourceVersion", Long.toString(++rv));
    objects.computeIfAbsent(resource, r -> new LinkedHashMap<>()).put(key(obj), obj);
  }

  /** Resource versions before the current one are too old from now on: watches from them get 410. */
  synchronized void expireHistory() {
    expiredBefore = rv;
  }

  /** Ends every open watch stream (the client should re-watch). */
  void closeWatches() {
    for (BlockingQueue<JsonNode> q : watchers) {
      q.add(CLOSE);
    }
  }

  /** Sends a watch ERROR event to every open watch. */
  void sendWatchError(int code, String reason, String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("reason", reason)
        .put("code", code).put("message", message);
    ObjectNode ev = JSON.createObjectNode();
    ev.put("type", "ERROR");
    ev.set("object", status);
    for (BlockingQueue<JsonNode> q : watchers) {
      q.add(ev);
    }
  }

  /** Sends a BOOKMARK event at the current resource version to every open watch. */
  synchronized void sendBookmark() {
    ObjectNode ev = JSON.createObjectNode();
    ev.put("type", "BOOKMARK");
    ObjectNode obj = ev.putObject("object");
    obj.putObject("metadata").put("resourceVersion", Long.toString(rv));
    for (BlockingQueue<JsonNode> q : watchers) {
      q.add(ev);
    }
  }

  int openWatches() {
    return watchers.size();
  }

  /** Blocks until at least {@code n} watch streams are open (up to 10 s). */
  synchronized void awaitWatches(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (watchers.size() < n) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("expected " + n + " open watches, have " + watchers.size());
      }
      wait(left);
    }
  }

  List<Request> requests(String path) {
    List<Request> out = new ArrayList<>();
    for (Request r : requests) {
      if (r.path().equals(path)) {
        out.add(r);
      }
    }
    return out;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String key(JsonNode obj) {
    JsonNode meta = obj.get("metadata");
    String ns = meta.path("namespace").asText("");
    return ns.isEmpty() ? meta.get("name").asText() : ns + "/" + meta.get("name").asText();
  }

  private void publish(Event e) {
    history.add(e);
    for (BlockingQueue<JsonNode> q : watchers) {
      q.add(eventJson(e));
    }
  }

  private static JsonNode eventJson(Event e) {
    ObjectNode ev = JSON.createObjectNode();
    ev.put("type", e.type());
    ev.set("object", e.object());
    ev.put("resource", e.resource());
    return ev;
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int i = kv.indexOf('=');
        q.put(URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8),
            i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      Map<String, String> q = query(ex.getRequestURI());
      requests.add(new Request(path, q, ex.getRequestHeaders().getFirst("Authorization")));
      synchronized (this) {
        if (requiredAuthorization != null && !requiredAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          respond(ex, 401, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":401,"
              + "\"reason\":\"Unauthorized\",\"message\":\"Unauthorized\"}");
          return;
        }
        if (failNext > 0) {
          failNext--;
          respond(ex, failStatus, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
              + failStatus + ",\"message\":\"injected failure\"}");
          return;
        }
      }
      Matcher m = PATH.matcher(path);
      if (!m.matches()) {
        respond(ex, 404, "{\"kind\":\"Status\",\"code\":404,\"message\":\"no such path\"}");
        return;
      }
      String ns = m.group(2);
      String resource = m.group(3);
      if ("true".equals(q.get("watch"))) {
        watch(ex, resource, ns, Long.parseLong(q.getOrDefault("resourceVersion", "0")));
      } else {
        list(ex, resource, ns, q);
      }
    }
  }

  private void list(HttpExchange ex, String resource, String ns, Map<String, String> q) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    synchronized (this) {
      List<ObjectNode> all = new ArrayList<>();
      for (ObjectNode o : objects.getOrDefault(resource, Map.of()).values()) {
        if (ns == null || ns.equals(o.get("metadata").path("namespace").asText())) {
          all.add(o);
        }
      }
      int from = q.containsKey("continue") ? Integer.parseInt(q.get("continue")) : 0;
      int to = pageSize == 0 ? all.size() : Math.min(all.size(), from + pageSize);
      out.put("kind", "List").put("apiVersion", "v1");
      ObjectNode meta = out.putObject("metadata");
      meta.put("resourceVersion", Long.toString(rv));
      meta.put("continue", to < all.size() ? Integer.toString(to) : "");
      ArrayNode items = out.putArray("items");
      for (ObjectNode o : all.subList(from, to)) {
        items.add(o.deepCopy());
      }
    }
    respond(ex, 200, JSON.writeValueAsString(out));
  }

  private void watch(HttpExchange ex, String resource, String ns, long from) throws IOException {
    BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    synchronized (this) {
      if (from < expiredBefore) {
        ObjectNode ev = JSON.createObjectNode();
        ev.put("type", "ERROR");
        ev.putObject("object").put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
            .put("reason", "Expired").put("code", 410)
            .put("message", "too old resource version: " + from + " (" + expiredBefore + ")");
        queue.add(ev);
        queue.add(CLOSE);
      } else {
        for (Event e : history) {
          if (e.rv() > from) {
            queue.add(eventJson(e));
          }
        }
      }
      watchers.add(queue);
      notifyAll();
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      while (true) {
        JsonNode ev = queue.poll(30, TimeUnit.SECONDS);
        if (ev == null || ev == CLOSE) {
          return;
        }
        if (ev.has("resource")) {
          if (!resource.equals(ev.get("resource").asText())) {
            continue;
          }
          String evNs = ev.get("object").get("metadata").path("namespace").asText();
          if (ns != null && !ns.equals(evNs)) {
            continue;
          }
          ev = ((ObjectNode) ev.deepCopy()).without("resource");
        }
        out.write(JSON.writeValueAsBytes(ev));
        out.write('\n');
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away.
    } finally {
      watchers.remove(queue);
    }
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    closeWatches();
    server.stop(0);
    executor.shutdownNow();
  }
}
