package dev.kiln.server.rules;

import dev.kiln.config.Globs;
import dev.kiln.tsdb.storage.Appendable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Loads rule files and evaluates their groups on schedule, aligned as Prometheus aligns them
 * (a stable per-group offset within the interval). A reload keeps the state of groups and rules
 * that stay. Thread-safe.
 */
public final class RuleManager implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RuleManager.class);

  private final RuleContext ctx;
  private final Appendable storage;
  private final AlertSink sink;
  private final Clock clock;
  private final long resendDelayMillis;
  private final RuleFileParser parser;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<String, RuleGroup> groups = new LinkedHashMap<>();
  private final Map<String, ScheduledFuture<?>> schedules = new LinkedHashMap<>();

  public RuleManager(RuleContext ctx, Appendable storage, AlertSink sink, Clock clock, long resendDelayMillis,
      RuleFileParser parser) {
    this.ctx = ctx;
    this.storage = storage;
    this.sink = sink;
    this.clock = clock;
    this.resendDelayMillis = resendDelayMillis;
    this.parser = parser;
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "kiln-rules");
      t.setDaemon(true);
      return t;
    });
    this.scheduler.setRemoveOnCancelPolicy(true);
  }

  /**
   * Loads the rule files matching the globs and (re)starts evaluation.
   *
   * @throws RuleFileException when any file is invalid; the running groups are left unchanged
   */
  public synchronized void load(List<String> globs, long defaultIntervalMillis, long defaultQueryOffsetMillis) {
    List<RuleGroupSpec> specs = new ArrayList<>();
    for (String glob : globs) {
      for (Path p : Globs.expand(null, glob)) {
        specs.addAll(parser.parse(p, defaultIntervalMillis, defaultQueryOffsetMillis));
      }
    }
    apply(specs);
  }

  /** Replaces the running groups with these. */
  public synchronized void apply(List<RuleGroupSpec> specs) {
    Map<String, RuleGroup> next = new LinkedHashMap<>();
    for (RuleGroupSpec s : specs) {
      RuleGroup g = new RuleGroup(s);
      RuleGroup old = groups.get(s.key());
      if (old != null) {
        g.inherit(old);
      }
      next.put(s.key(), g);
    }
    for (ScheduledFuture<?> f : schedules.values()) {
      f.cancel(false);
    }
    schedules.clear();
    groups.clear();
    groups.putAll(next);
    for (RuleGroup g : next.values()) {
      schedule(g);
    }
  }

  private void schedule(RuleGroup g) {
    long interval = g.spec().intervalMillis();
    long now = clock.millis();
    long offset = g.offsetMillis();
    long adj = now - offset;
    long base = adj - Math.floorMod(adj, interval);
    long next = base + offset + interval;
    long[] tick = {next};
    schedules.put(g.spec().key(), scheduler.scheduleAtFixedRate(() -> {
      long ts = tick[0];
      long nowMs = clock.millis();
      while (tick[0] + interval <= nowMs) {
        tick[0] += interval;
        ts = tick[0];
      }
      tick[0] += interval;
      try {
        g.eval(ctx, storage, sink, ts, resendDelayMillis);
      } catch (RuntimeException e) {
        LOG.warn("evaluation of group {} failed", g.spec().name(), e);
      }
    }, Math.max(0, next - now), interval, TimeUnit.MILLISECONDS));
  }

  /** The running groups, in file order. */
  public synchronized List<RuleGroup> groups() {
    return List.copyOf(groups.values());
  }

  @Override
  public synchronized void close() {
    scheduler.shutdownNow();
  }
}
