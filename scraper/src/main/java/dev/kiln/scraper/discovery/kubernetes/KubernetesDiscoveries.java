package dev.kiln.scraper.discovery.kubernetes;

import dev.kiln.config.KubernetesSdConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.scraper.discovery.Discoverer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands out Kubernetes discoverers so that equal {@code kubernetes_sd_configs} (same API server,
 * role, namespaces, selectors, …) share one set of list/watch streams, across jobs and across
 * reloads: a discoverer nobody uses any more is closed only after a grace period, so a reload that
 * closes and re-creates the discoverers keeps the running watches. Thread-safe.
 */
public final class KubernetesDiscoveries implements AutoCloseable {
  private static final long IDLE_CLOSE_MILLIS = 10_000;

  private final KubeEnvironment env;
  private final ScheduledExecutorService scheduler;
  private final Map<KubernetesSdConfig, Shared> shared = new HashMap<>();
  private boolean closed;

  private static final class Shared {
    final KubernetesDiscoverer discoverer;
    int users;

    Shared(KubernetesDiscoverer discoverer) {
      this.discoverer = discoverer;
    }
  }

  public KubernetesDiscoveries(KubeEnvironment env, ScheduledExecutorService scheduler) {
    this.env = env;
    this.scheduler = scheduler;
  }

  /** A discoverer for {@code cfg}; closing it releases this use of the shared watcher. */
  public synchronized Discoverer discoverer(KubernetesSdConfig cfg) {
    if (closed) {
      throw new IllegalStateException("Kubernetes discovery is closed");
    }
    Shared s = shared.computeIfAbsent(cfg, c -> new Shared(new KubernetesDiscoverer(c, env, scheduler)));
    s.users++;
    return new Use(cfg, s);
  }

  private synchronized void release(KubernetesSdConfig cfg, Shared s) {
    s.users--;
    if (s.users == 0) {
      scheduler.schedule(() -> closeIfIdle(cfg, s), IDLE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void closeIfIdle(KubernetesSdConfig cfg, Shared s) {
    if (s.users == 0 && shared.get(cfg) == s) {
      shared.remove(cfg);
      s.discoverer.close();
    }
  }

  /** Number of distinct watchers running (for tests and status). */
  public synchronized int watchers() {
    return shared.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    shared.values().forEach(s -> s.discoverer.close());
    shared.clear();
  }

  /** One job's use of a shared discoverer. */
  private final class Use implements Discoverer {
    private final KubernetesSdConfig cfg;
    private final Shared s;
    private Consumer<List<TargetGroup>> listener;
    private boolean released;

    Use(KubernetesSdConfig cfg, Shared s) {
      this.cfg = cfg;
      this.s = s;
    }

    @Override
    public synchronized void start(Consumer<List<TargetGroup>> l) {
      listener = l;
      s.discoverer.start(l);
    }

    @Override
    public synchronized void close() {
      if (released) {
        return;
      }
      released = true;
      if (listener != null) {
        s.discoverer.removeListener(listener);
      }
      release(cfg, s);
    }
  }
}
