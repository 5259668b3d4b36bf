package dev.kiln.scraper.scrape;

import dev.kiln.config.FileSdConfig;
import dev.kiln.config.KubernetesSdConfig;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.scraper.discovery.Discoverer;
import dev.kiln.scraper.discovery.FileDiscoverer;
import dev.kiln.scraper.discovery.StaticDiscoverer;
import dev.kiln.scraper.discovery.kubernetes.KubeEnvironment;
import dev.kiln.scraper.discovery.kubernetes.KubernetesDiscoveries;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Metadata;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scrape pools of a configuration and applies new configurations: jobs that stay are
 * rebuilt with their targets' phase unchanged, removed jobs' targets are marked stale, new jobs
 * start. Thread-safe.
 */
public final class ScrapeManager implements AutoCloseable {
  private final Appendable storage;
  private final boolean nativeHistogramsFeature;
  private volatile boolean createdTimestampZero;
  private final HttpFetcher fetcher;
  private final Clock clock;
  private final String userAgent;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final Map<String, ScrapePool> pools = new LinkedHashMap<>();
  private final List<Discoverer> discoverers = new ArrayList<>();
  private final KubernetesDiscoveries kubernetes;
  private final ScrapeAppendErrors appendErrors = new ScrapeAppendErrors();

  /**
   * @param userAgent sent with every scrape, e.g. {@code Kiln/0.1.0}
   * @param workerThreads scrapes that may run at once
   */
  public ScrapeManager(Appendable storage, HttpFetcher fetcher, Clock clock, String userAgent, int workerThreads) {
    this(storage, fetcher, clock, userAgent, workerThreads, KubeEnvironment.system(userAgent));
  }

  /** As above, with the environment Kubernetes discovery connects from (tests substitute theirs). */
  public ScrapeManager(Appendable storage, HttpFetcher fetcher, Clock clock, String userAgent, int workerThreads,
      KubeEnvironment kubeEnvironment) {
    this(storage, fetcher, clock, userAgent, workerThreads, kubeEnvironment, false);
  }

  /**
   * As above; {@code nativeHistogramsFeature} is {@code --enable-feature=native-histograms}: jobs
   * store native histograms unless they turn them off, and negotiate PrometheusProto first unless
   * they set {@code scrape_protocols}.
   */
  public ScrapeManager(Appendable storage, HttpFetcher fetcher, Clock clock, String userAgent, int workerThreads,
      KubeEnvironment kubeEnvironment, boolean nativeHistogramsFeature) {
    this.nativeHistogramsFeature = nativeHistogramsFeature;
    this.storage = storage;
    this.fetcher = fetcher;
    this.clock = clock;
    this.userAgent = userAgent;
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("kiln-scrape-scheduler"));
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    this.workers = Executors.newFixedThreadPool(workerThreads, daemon("kiln-scrape-worker"));
    this.kubernetes = new KubernetesDiscoveries(kubeEnvironment, scheduler);
  }

  /**
   * Turns {@code --enable-feature=created-timestamp-zero-ingestion} on or off for the pools of the
   * next {@link #apply}.
   */
  public void setCreatedTimestampZeroIngestion(boolean on) {
    this.createdTimestampZero = on;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The samples and exemplars the storage refused to all of this manager's scrapes, for {@code /metrics}. */
  public ScrapeAppendErrors appendErrors() {
    return appendErrors;
  }

  /** Applies a configuration (initial or reloaded). */
  public synchronized void apply(PrometheusConfig config) {
    for (Discoverer d : discoverers) {
      d.close();
    }
    discoverers.clear();
    Map<String, ScrapePool> next = new LinkedHashMap<>();
    boolean extra = config.global().extraScrapeMetrics();
    for (ScrapeConfig job : config.scrapeConfigs()) {
      ScrapeConfig sc = nativeHistogramsFeature ? job.withNativeHistogramsFeature() : job;
      if (createdTimestampZero) {
        sc = sc.withCreatedTimestampZeroFeature();
      }
      ScrapePool pool = new ScrapePool(sc, storage, fetcher, clock, userAgent, extra, scheduler, workers, createdTimestampZero,
          appendErrors);
      ScrapePool old = pools.remove(sc.jobName());
      if (old != null) {
        pool.adopt(old);
      }
      next.put(sc.jobName(), pool);
    }
    for (ScrapePool removed : pools.values()) {
      removed.removeJob();
    }
    pools.clear();
    pools.putAll(next);
    fetcher.retainClients(next.values().stream().map(p -> p.config().http()).toList());
    for (ScrapePool pool : next.values()) {
      ScrapeConfig sc = pool.config();
      int source = 0;
      List<Discoverer> ds = discoverers(sc.staticConfigs(), sc.fileSdConfigs(), sc.kubernetesSdConfigs());
      for (Discoverer d : ds) {
        int id = source++;
        discoverers.add(d);
        d.start(groups -> pool.update(id, groups));
      }
    }
  }

  /**
   * Discoverers (not started) for static groups, files and Kubernetes, sharing this manager's
   * scheduler and Kubernetes watchers; other sections (Alertmanagers) discover through this too.
   */
  public List<Discoverer> discoverers(List<dev.kiln.config.TargetGroup> statics, List<FileSdConfig> files,
      List<KubernetesSdConfig> k8s) {
    List<Discoverer> ds = new ArrayList<>();
    ds.add(new StaticDiscoverer(statics));
    for (FileSdConfig f : files) {
      ds.add(new FileDiscoverer(f, scheduler));
    }
    for (KubernetesSdConfig k : k8s) {
      ds.add(kubernetes.discoverer(k));
    }
    return ds;
  }

  /** Active targets of every pool, in configuration order. */
  public synchronized List<TargetStatus> activeTargets() {
    List<TargetStatus> out = new ArrayList<>();
    for (ScrapePool p : pools.values()) {
      for (ScrapeLoop l : p.loops()) {
        out.add(l.status());
      }
    }
    return out;
  }

  /** Targets dropped by relabeling, per pool. */
  public synchronized List<DroppedTarget> droppedTargets() {
    List<DroppedTarget> out = new ArrayList<>();
    for (ScrapePool p : pools.values()) {
      out.addAll(p.dropped());
    }
    return out;
  }

  /** Metadata seen per target: the target's labels with its families' metadata. */
  public synchronized List<TargetMetadata> targetMetadata() {
    List<TargetMetadata> out = new ArrayList<>();
    for (ScrapePool p : pools.values()) {
      for (ScrapeLoop l : p.loops()) {
        for (Map.Entry<String, Metadata> e : l.metadata().entrySet()) {
          out.add(new TargetMetadata(l.target().labels(), e.getKey(), e.getValue()));
        }
      }
    }
    return out;
  }

  /** One metric family's metadata as seen on one target. */
  public record TargetMetadata(dev.kiln.tsdb.model.Labels target, String metric, Metadata metadata) {}

  /** Stops scraping without stale markers, as Prometheus does on shutdown. */
  @Override
  public synchronized void close() {
    for (Discoverer d : discoverers) {
      d.close();
    }
    kubernetes.close();
    for (ScrapePool p : pools.values()) {
      p.stopAll();
    }
    pools.clear();
    scheduler.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
