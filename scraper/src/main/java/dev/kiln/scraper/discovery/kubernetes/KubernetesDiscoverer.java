package dev.kiln.scraper.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.KubernetesSdConfig;
import dev.kiln.config.KubernetesSdConfig.AttachMetadata;
import dev.kiln.config.KubernetesSdConfig.Role;
import dev.kiln.config.KubernetesSdConfig.Selector;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.discovery.Discoverer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code kubernetes_sd_configs}: keeps one target group per Kubernetes object of the configured
 * role from list + watch streams ({@link Informer}), and hands the complete list to its listeners
 * once every stream has been listed, then after each change, at most every
 * {@link KubeEnvironment#coalesceMillis()}. A deleted object's group is handed over once with no
 * targets, then forgotten.
 *
 * <p>Several listeners may subscribe (jobs with identical configs share one discoverer). Thread-safe.
 */
public final class KubernetesDiscoverer implements Discoverer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KubernetesDiscoverer.class);

  private final KubernetesSdConfig cfg;
  private final KubeEnvironment env;
  private final ScheduledExecutorService scheduler;
  private final RoleSpec spec;
  private final Object lock = new Object();
  private final Map<Resource, List<Informer>> informers = new EnumMap<>(Resource.class);
  private final Map<String, TargetGroup> groups = new LinkedHashMap<>();
  private final Set<String> removed = new LinkedHashSet<>();
  private final Map<String, JsonNode> pending = new LinkedHashMap<>();
  private final List<Consumer<List<TargetGroup>>> listeners = new CopyOnWriteArrayList<>();
  private final Lookup lookup = new CacheLookup();
  private boolean started;
  private boolean closed;
  private boolean allSynced;
  private boolean dirty;
  private long lastSendMillis = Long.MIN_VALUE / 2;
  private ScheduledFuture<?> pendingSend;
  private List<TargetGroup> lastSent;

  public KubernetesDiscoverer(KubernetesSdConfig cfg, KubeEnvironment env, ScheduledExecutorService scheduler) {
    this.cfg = cfg;
    this.env = env;
    this.scheduler = scheduler;
    this.spec = new RoleSpec(cfg.role());
  }

  /**
   * Adds a listener and, on the first call, connects and starts watching. A later listener gets
   * the current groups at once if the first list is done. A connection setup failure is logged
   * and leaves the discoverer without targets, as in Prometheus.
   */
  @Override
  public void start(Consumer<List<TargetGroup>> listener) {
    List<TargetGroup> current = null;
    synchronized (lock) {
      if (closed) {
        return;
      }
      listeners.add(listener);
      if (started) {
        if (lastSent != null) {
          current = snapshot(false);
        }
      } else {
        started = true;
        startInformers();
      }
    }
    if (current != null) {
      listener.accept(current);
    }
  }

  /** Stops handing updates to a listener added by {@link #start}. */
  public void removeListener(Consumer<List<TargetGroup>> listener) {
    listeners.remove(listener);
  }

  private void startInformers() {
    ApiConnection.Connected conn;
    try {
      conn = ApiConnection.connect(cfg, env);
    } catch (IOException | RuntimeException e) {
      LOG.error("cannot create Kubernetes discovery for {}: {}", cfg, e.getMessage());
      return;
    }
    List<String> namespaces = new ArrayList<>(new LinkedHashSet<>(cfg.namespaces()));
    if (conn.ownNamespace() != null && !namespaces.contains(conn.ownNamespace())) {
      namespaces.add(conn.ownNamespace());
    }
    Handler handler = new Handler();
    for (Resource r : spec.resources(cfg)) {
      Role selRole = RoleSpec.selectorRole(r);
      Selector sel = selRole == null ? null : cfg.selector(selRole);
      String label = sel == null ? "" : sel.label();
      String field = sel == null ? "" : sel.field();
      List<Informer> list = new ArrayList<>();
      List<String> scopes = !r.namespaced || r == Resource.NAMESPACES || namespaces.isEmpty()
          ? java.util.Collections.singletonList(null) : namespaces;
      for (String ns : scopes) {
        list.add(new Informer(conn.client(), r, ns, label, field, lock, handler, env.minBackoffMillis()));
      }
      informers.put(r, list);
    }
    informers.values().forEach(l -> l.forEach(Informer::start));
  }

  /** Rebuilds the group of a main object and records whether it changed; under the lock. */
  private void rebuild(JsonNode obj) {
    String source = spec.source(obj);
    TargetGroup g = spec.build(obj, lookup);
    if (g == null) {
      forget(source);
      return;
    }
    TargetGroup old = groups.put(source, g);
    removed.remove(source);
    if (!g.equals(old)) {
      dirty = true;
    }
  }

  private void forget(String source) {
    if (groups.remove(source) != null) {
      removed.add(source);
      dirty = true;
    }
  }

  private final class Handler implements Informer.Handler {
    @Override
    public void upsert(Resource r, JsonNode obj) {
      changed(r, obj, false);
    }

    @Override
    public void delete(Resource r, JsonNode obj) {
      changed(r, obj, true);
    }

    /**
     * Notes which groups a change affects; {@link #flush} rebuilds each once. Before the first send
     * nothing is noted: the first send rebuilds every group from the caches.
     */
    private void changed(Resource r, JsonNode obj, boolean deleted) {
      if (!allSynced) {
        return;
      }
      if (r == spec.main) {
        String key = MetaLabels.key(obj);
        if (deleted) {
          pending.remove(key);
          forget(spec.source(obj));
        } else {
          pending.put(key, obj);
        }
      } else {
        for (JsonNode m : spec.affected(r, obj, lookup)) {
          pending.put(MetaLabels.key(m), m);
        }
      }
    }

    @Override
    public void flush() {
      for (JsonNode obj : pending.values()) {
        rebuild(obj);
      }
      pending.clear();
      scheduleSend();
    }

    @Override
    public void synced(Informer informer) {
      scheduleSend();
    }
  }

  /** Arranges a send when something changed and every informer has listed once; under the lock. */
  private void scheduleSend() {
    if (!allSynced) {
      for (List<Informer> l : informers.values()) {
        for (Informer i : l) {
          if (!i.synced()) {
            return;
          }
        }
      }
      allSynced = true;
      // Changes before this point were not noted: build every group once, from complete caches.
      for (Informer i : informers.get(spec.main)) {
        for (JsonNode obj : i.all()) {
          rebuild(obj);
        }
      }
      dirty = true;
    }
    if (!dirty || pendingSend != null || closed) {
      return;
    }
    long now = env.clock().millis();
    long delay = Math.max(0, lastSendMillis + env.coalesceMillis() - now);
    pendingSend = scheduler.schedule(this::send, delay, TimeUnit.MILLISECONDS);
  }

  private void send() {
    List<TargetGroup> out;
    synchronized (lock) {
      pendingSend = null;
      if (closed || !dirty) {
        return;
      }
      out = snapshot(true);
      dirty = false;
      lastSendMillis = env.clock().millis();
      lastSent = out;
    }
    for (Consumer<List<TargetGroup>> l : listeners) {
      try {
        l.accept(out);
      } catch (RuntimeException e) {
        LOG.warn("kubernetes discovery listener failed", e);
      }
    }
  }

  /** Every group, plus (when {@code withRemoved}) one empty group per source deleted since the last send. */
  private List<TargetGroup> snapshot(boolean withRemoved) {
    List<TargetGroup> out = new ArrayList<>(groups.values());
    if (withRemoved) {
      for (String s : removed) {
        out.add(GroupBuilder.empty(s));
      }
      removed.clear();
    }
    return List.copyOf(out);
  }

  /** Paths of the informers, e.g. to check what is watched; for tests. */
  List<String> watchedPaths() {
    synchronized (lock) {
      List<String> out = new ArrayList<>();
      informers.values().forEach(l -> l.forEach(i -> out.add(i.path())));
      return out;
    }
  }

  @Override
  public void close() {
    List<Informer> all = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      if (pendingSend != null) {
        pendingSend.cancel(false);
      }
      informers.values().forEach(all::addAll);
    }
    all.forEach(Informer::close);
  }

  private final class CacheLookup implements Lookup {
    @Override
    public JsonNode get(Resource r, String key) {
      List<Informer> list = informers.get(r);
      if (list == null) {
        return null;
      }
      for (Informer i : list) {
        JsonNode n = i.get(key);
        if (n != null) {
          return n;
        }
      }
      return null;
    }

    @Override
    public Collection<JsonNode> all(Resource r) {
      List<Informer> list = informers.get(r);
      if (list == null) {
        return List.of();
      }
      if (list.size() == 1) {
        return list.get(0).all();
      }
      List<JsonNode> out = new ArrayList<>();
      list.forEach(i -> out.addAll(i.all()));
      return out;
    }

    @Override
    public AttachMetadata attach() {
      return cfg.attachMetadata();
    }

    @Override
    public boolean selected(Resource r) {
      Role sel = RoleSpec.selectorRole(r);
      return sel != null && cfg.selector(sel) != null;
    }
  }
}
