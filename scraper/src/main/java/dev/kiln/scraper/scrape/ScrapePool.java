package dev.kiln.scraper.scrape;

import dev.kiln.config.HttpAuthorization;
import dev.kiln.config.ScrapeConfig;
import dev.kiln.config.TargetGroup;
import dev.kiln.tsdb.storage.Appendable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The scrape loops of one job. Target groups from each of the job's discoverers are merged;
 * targets that stay keep their loop, new ones start, vanished ones stop and are marked stale as
 * Prometheus does (at their next would-be tick, after one more interval and a tenth).
 */
final class ScrapePool {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapePool.class);

  private final ScrapeConfig cfg;
  private final Appendable storage;
  private final HttpFetcher fetcher;
  /** The job's credentials, shared by its loops: one OAuth2 token per pool, dropped with it. */
  private final HttpAuthorization auth;
  private final Clock clock;
  private final String userAgent;
  private final boolean extraMetrics;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final Map<Integer, List<TargetGroup>> groupsBySource = new HashMap<>();
  private final Map<String, Running> loops = new LinkedHashMap<>();
  private final Map<String, ScrapeLoop> inherited = new HashMap<>();
  private volatile List<DroppedTarget> dropped = List.of();
  private boolean closed;
  private final boolean createdTimestampZero;
  private final ScrapeAppendErrors appendErrors;

  private static final class Running {
    final ScrapeLoop loop;
    final AtomicBoolean busy = new AtomicBoolean();
    ScheduledFuture<?> future;
    long firstTick;

    Running(ScrapeLoop loop) {
      this.loop = loop;
    }
  }

  ScrapePool(ScrapeConfig cfg, Appendable storage, HttpFetcher fetcher, Clock clock, String userAgent, boolean extraMetrics,
      ScheduledExecutorService scheduler, ExecutorService workers, boolean createdTimestampZero, ScrapeAppendErrors appendErrors) {
    this.createdTimestampZero = createdTimestampZero;
    this.appendErrors = appendErrors;
    this.cfg = cfg;
    this.storage = storage;
    this.fetcher = fetcher;
    this.auth = cfg.http().newAuthorization();
    this.clock = clock;
    this.userAgent = userAgent;
    this.extraMetrics = extraMetrics;
    this.scheduler = scheduler;
    this.workers = workers;
  }

  ScrapeConfig config() {
    return cfg;
  }

  /** Replaces the groups reported by one discoverer and resynchronises the loops. */
  synchronized void update(int source, List<TargetGroup> groups) {
    if (closed) {
      return;
    }
    groupsBySource.put(source, List.copyOf(groups));
    List<TargetGroup> all = new ArrayList<>();
    groupsBySource.values().forEach(all::addAll);
    sync(all);
  }

  private void sync(List<TargetGroup> groups) {
    Map<String, Target> wanted = new LinkedHashMap<>();
    List<DroppedTarget> droppedNow = new ArrayList<>();
    for (TargetBuilder.Result r : TargetBuilder.build(cfg, groups)) {
      if (r.target() == null) {
        if (r.error() != null) {
          LOG.warn("dropping target of job {}: {}", cfg.jobName(), r.error());
        }
        if (cfg.limits().keepDroppedTargets() == 0 || droppedNow.size() < cfg.limits().keepDroppedTargets()) {
          droppedNow.add(new DroppedTarget(cfg.jobName(), r.discovered()));
        }
      } else {
        wanted.putIfAbsent(r.target().key(), r.target());
      }
    }
    dropped = List.copyOf(droppedNow);
    for (var it = loops.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        it.remove();
        retire(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, Target> e : wanted.entrySet()) {
      if (!loops.containsKey(e.getKey())) {
        start(e.getKey(), e.getValue());
      }
    }
  }

  /** Takes over the loops of an older pool of the same job after a reload. */
  synchronized void adopt(ScrapePool old) {
    for (ScrapeLoop l : old.loops()) {
      inherited.put(l.target().key(), l);
    }
    old.stopAll();
  }

  private void start(String key, Target target) {
    ScrapeLoop loop = new ScrapeLoop(cfg.jobName(), target, cfg, storage, fetcher, auth, clock, userAgent, extraMetrics,
        createdTimestampZero, appendErrors);
    ScrapeLoop previous = inherited.remove(key);
    if (previous != null) {
      loop.inheritState(previous);
    }
    Running r = new Running(loop);
    long interval = cfg.scrapeIntervalMillis();
    long now = clock.millis();
    long offset = Long.remainderUnsigned(dev.kiln.tsdb.model.Labels.of("k", key).hash64(), interval);
    long delay = Math.floorMod(offset - now % interval, interval);
    r.firstTick = now + delay;
    r.future = scheduler.scheduleAtFixedRate(() -> trigger(r), delay, interval, TimeUnit.MILLISECONDS);
    loops.put(key, r);
  }

  private void trigger(Running r) {
    if (!r.busy.compareAndSet(false, true)) {
      return;
    }
    try {
      workers.execute(() -> {
        try {
          r.loop.scrape();
        } catch (RuntimeException e) {
          LOG.warn("scrape loop of {} failed", r.loop.target().url(), e);
        } finally {
          r.busy.set(false);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      r.busy.set(false);
    }
  }

  private void retire(String key, Running r) {
    r.future.cancel(false);
    long interval = cfg.scrapeIntervalMillis();
    long now = clock.millis();
    long nextTick = r.firstTick + ((Math.max(0, now - r.firstTick) / interval) + 1) * interval;
    long delay = nextTick - now + interval + interval / 10;
    scheduler.schedule(() -> {
      synchronized (this) {
        if (closed || loops.containsKey(key)) {
          return;
        }
      }
      try {
        r.loop.markStale(nextTick);
      } catch (RuntimeException e) {
        LOG.warn("cannot mark vanished target {} stale", r.loop.target().url(), e);
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  /** Stops every loop without stale markers (shutdown or replacement by a reloaded pool). */
  synchronized void stopAll() {
    closed = true;
    for (Running r : loops.values()) {
      r.future.cancel(false);
    }
    loops.clear();
  }

  /** Stops every loop and marks their targets stale (the job was removed from the config). */
  synchronized void removeJob() {
    List<Map.Entry<String, Running>> all = new ArrayList<>(loops.entrySet());
    loops.clear();
    for (var e : all) {
      retire(e.getKey(), e.getValue());
    }
    closed = true;
  }

  synchronized List<ScrapeLoop> loops() {
    List<ScrapeLoop> out = new ArrayList<>();
    for (Running r : loops.values()) {
      out.add(r.loop);
    }
    return out;
  }

  List<DroppedTarget> dropped() {
    return dropped;
  }
}
