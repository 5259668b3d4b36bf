package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a local copy of one collection (one resource in one namespace, or all namespaces) with
 * the API's list + watch cycle: list with paging, watch from the list's resource version (bookmarks
 * only advance it), re-watch when the server ends the stream, list again on 410 Gone, and back
 * off exponentially (1 s doubling to 30 s) after other errors while the cache keeps serving the
 * last known objects.
 *
 * <p>Runs one daemon thread. The cache is changed, and the handler called, while holding the
 * shared {@code lock}, so handlers may read every informer of the same lock consistently.
 */
final class Informer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Informer.class);
  static final long MIN_BACKOFF_MILLIS = 1_000;
  static final long MAX_BACKOFF_MILLIS = 30_000;

  /** Receives changes; called under the lock. */
  interface Handler {
    /** An object was added or changed (also for every object of a fresh list). */
    void upsert(Resource r, JsonNode obj);

    /** An object was deleted (or vanished between two lists); {@code obj} is its last state. */
    void delete(Resource r, JsonNode obj);

    /** The first list of this informer completed. */
    void synced(Informer informer);

    /** The changes reported since the last call (one list, or one watch event) are complete. */
    void flush();
  }

  final Resource resource;
  private final String path;
  private final String labelSelector;
  private final String fieldSelector;
  private final KubeClient client;
  private final Object lock;
  private final Handler handler;
  private final long minBackoffMillis;
  private final Map<String, JsonNode> cache = new HashMap<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile KubeClient.WatchStream stream;
  private volatile boolean synced;
  private Thread thread;

  Informer(KubeClient client, Resource resource, String namespace, String labelSelector, String fieldSelector,
      Object lock, Handler handler, long minBackoffMillis) {
    this.client = client;
    this.resource = resource;
    this.path = resource.path(namespace);
    this.labelSelector = labelSelector == null ? "" : labelSelector;
    this.fieldSelector = fieldSelector == null ? "" : fieldSelector;
    this.lock = lock;
    this.handler = handler;
    this.minBackoffMillis = minBackoffMillis;
  }

  /** The path listed and watched, e.g. {@code /api/v1/namespaces/shop/pods}. */
  String path() {
    return path;
  }

  boolean synced() {
    return synced;
  }

  /** The cached object for a key; call under the lock. */
  JsonNode get(String key) {
    return cache.get(key);
  }

  /** The cached objects; call under the lock. */
  Collection<JsonNode> all() {
    return cache.values();
  }

  synchronized void start() {
    thread = new Thread(this::run, "kiln-k8s-" + resource.plural);
    thread.setDaemon(true);
    thread.start();
  }

  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void run() {
    long backoff = minBackoffMillis;
    while (!isClosed()) {
      try {
        String rv = list();
        backoff = minBackoffMillis;
        while (!isClosed()) {
          long started = System.nanoTime();
          try {
            rv = watch(rv);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            if (tookMillis < minBackoffMillis && closed.await(minBackoffMillis - tookMillis, TimeUnit.MILLISECONDS)) {
              return;
            }
          } catch (ApiException e) {
            if (!e.gone()) {
              throw e;
            }
            LOG.debug("watch {}: {}; listing again", path, e.getMessage());
            break;
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (isClosed()) {
          return;
        }
        LOG.warn("kubernetes discovery: {} failed, retrying in {} ms: {}", path, backoff, e.toString());
        try {
          if (closed.await(backoff, TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private Map<String, String> query() {
    Map<String, String> q = new LinkedHashMap<>();
    if (!labelSelector.isEmpty()) {
      q.put("labelSelector", labelSelector);
    }
    if (!fieldSelector.isEmpty()) {
      q.put("fieldSelector", fieldSelector);
    }
    return q;
  }

  /** Lists every page, replaces the cache and reports the differences; returns the list's resource version. */
  private String list() throws IOException, InterruptedException {
    Map<String, JsonNode> fresh = new LinkedHashMap<>();
    String cont = "";
    String rv;
    do {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("limit", "500");
      q.putAll(query());
      if (!cont.isEmpty()) {
        q.put("continue", cont);
      }
      JsonNode page = client.list(path, q);
      for (JsonNode item : MetaLabels.items(page, "items")) {
        fresh.put(MetaLabels.key(item), Trim.apply(resource, item));
      }
      rv = MetaLabels.text(page, "metadata", "resourceVersion");
      String c = MetaLabels.text(page, "metadata", "continue");
      cont = c == null ? "" : c;
    } while (!cont.isEmpty());
    synchronized (lock) {
      if (isClosed()) {
        return rv;
      }
      List<JsonNode> vanished = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : cache.entrySet()) {
        if (!fresh.containsKey(e.getKey())) {
          vanished.add(e.getValue());
        }
      }
      cache.clear();
      cache.putAll(fresh);
      for (JsonNode gone : vanished) {
        handler.delete(resource, gone);
      }
      for (JsonNode obj : fresh.values()) {
        handler.upsert(resource, obj);
      }
      if (!synced) {
        synced = true;
        handler.synced(this);
      }
      handler.flush();
    }
    return rv == null ? "" : rv;
  }

  /** Watches from {@code rv} until the server ends the stream; returns the last resource version seen. */
  private String watch(String rv) throws IOException, InterruptedException {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("watch", "true");
    q.put("resourceVersion", rv);
    q.put("allowWatchBookmarks", "true");
    q.put("timeoutSeconds", Long.toString(300 + ThreadLocalRandom.current().nextLong(301)));
    q.putAll(query());
    try (KubeClient.WatchStream s = client.watch(path, q)) {
      stream = s;
      if (isClosed()) {
        return rv;
      }
      JsonNode ev;
      while ((ev = s.next()) != null) {
        String type = MetaLabels.text(ev, "type");
        JsonNode obj = ev.path("object");
        if ("ERROR".equals(type)) {
          int code = obj.path("code").asInt(500);
          throw new ApiException(code, "watch " + path + ": " + obj.path("reason").asText("") + " (" + code + "): "
              + obj.path("message").asText(""));
        }
        String objRv = MetaLabels.text(obj, "metadata", "resourceVersion");
        if (objRv != null) {
          rv = objRv;
        }
        if (type == null || "BOOKMARK".equals(type)) {
          continue;
        }
        Trim.apply(resource, obj);
        synchronized (lock) {
          if (isClosed()) {
            return rv;
          }
          String key = MetaLabels.key(obj);
          switch (type) {
            case "ADDED", "MODIFIED" -> {
              cache.put(key, obj);
              handler.upsert(resource, obj);
            }
            case "DELETED" -> {
              cache.remove(key);
              handler.delete(resource, obj);
            }
            default -> LOG.debug("watch {}: ignoring event type {}", path, type);
          }
          handler.flush();
        }
      }
      return rv;
    } finally {
      stream = null;
    }
  }

  /** Stops the thread; no handler call starts after this returns. */
  @Override
  public void close() {
    synchronized (lock) {
      closed.countDown();
    }
    KubeClient.WatchStream s = stream;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("closing watch {}: {}", path, e.toString());
      }
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
    }
  }
}
