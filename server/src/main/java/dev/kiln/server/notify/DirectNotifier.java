package dev.kiln.server.notify;

import dev.kiln.server.rules.AlertSink;
import dev.kiln.server.rules.AlertSnapshot;
import dev.kiln.tsdb.model.Labels;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Kiln's built-in notifier, for setups without an Alertmanager: routes alerts through an
 * Alertmanager-style tree, groups them by {@code group_by}, waits {@code group_wait}, re-notifies
 * changed groups after {@code group_interval} and unchanged firing ones after
 * {@code repeat_interval}, sends resolved notifications, and posts to webhooks, Slack and Teams
 * with retries (5xx, 429 and network errors, with backoff, until the next group interval).
 * Thread-safe.
 */
public final class DirectNotifier implements AlertSink, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DirectNotifier.class);

  private final String externalURL;
  private final Labels externalLabels;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kiln-notify"));
  private final ExecutorService senders = Executors.newFixedThreadPool(2, r -> daemon(r, "kiln-notify-send"));
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private volatile NotificationConfig config;

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static final class Group {
    final Route route;
    final Labels groupLabels;
    final String key;
    final long createdAt;
    final Map<String, GroupAlert> alerts = new LinkedHashMap<>();
    final Map<String, Boolean> notifiedState = new LinkedHashMap<>();
    long lastFlush;
    boolean changed;

    Group(Route route, Labels groupLabels, String key, long createdAt) {
      this.route = route;
      this.groupLabels = groupLabels;
      this.key = key;
      this.createdAt = createdAt;
    }
  }

  public DirectNotifier(NotificationConfig config, Labels externalLabels, String externalURL, Clock clock) {
    this.config = config;
    this.externalLabels = externalLabels;
    this.externalURL = externalURL;
    this.clock = clock;
    ticker.scheduleWithFixedDelay(this::tick, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** Replaces the routing and receivers (reload); existing groups keep their state. */
  public void apply(NotificationConfig cfg) {
    this.config = cfg;
  }

  @Override
  public void send(String expr, List<AlertSnapshot> alerts) {
    String generator = externalURL + "/graph?g0.expr=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&g0.tab=1";
    long now = clock.millis();
    synchronized (this) {
      for (AlertSnapshot s : alerts) {
        Labels.Builder b = s.labels().toBuilder();
        externalLabels.forEach((k, v) -> {
          if (b.get(k) == null) {
            b.set(k, v);
          }
        });
        Labels labels = b.build();
        boolean resolved = s.resolvedAtMillis() != 0;
        GroupAlert a = new GroupAlert(labels, s.annotations(), s.firedAtMillis() != 0 ? s.firedAtMillis() : s.activeAtMillis(),
            resolved ? s.resolvedAtMillis() : 0, generator, resolved);
        for (Route r : config.route().match(labels)) {
          Labels gl = groupLabels(r, labels);
          String key = r.key() + ":" + gl.toString();
          Group g = groups.computeIfAbsent(key, k -> new Group(r, gl, k, now));
          String fp = a.fingerprint();
          GroupAlert prev = g.alerts.get(fp);
          Boolean notified = g.notifiedState.get(fp);
          if (prev == null && resolved && notified != null && notified) {
            continue;
          }
          if (prev == null || prev.resolved() != resolved) {
            g.changed = true;
          }
          g.alerts.put(fp, a);
        }
      }
    }
  }

  private static Labels groupLabels(Route r, Labels labels) {
    if (r.groupBy().contains("...")) {
      return labels;
    }
    return labels.keep(r.groupBy());
  }

  private void tick() {
    long now = clock.millis();
    List<Runnable> flushes = new ArrayList<>();
    synchronized (this) {
      for (var it = groups.values().iterator(); it.hasNext(); ) {
        Group g = it.next();
        boolean due;
        if (g.lastFlush == 0) {
          due = now - g.createdAt >= g.route.groupWaitMillis();
        } else if (g.changed) {
          due = now - g.lastFlush >= g.route.groupIntervalMillis();
        } else {
          boolean anyFiring = g.alerts.values().stream().anyMatch(a -> !a.resolved());
          due = anyFiring && now - g.lastFlush >= g.route.repeatIntervalMillis();
        }
        if (!due || g.alerts.isEmpty()) {
          if (g.alerts.isEmpty() && now - g.lastFlush > 20 * 60_000L) {
            it.remove();
          }
          continue;
        }
        List<GroupAlert> batch = new ArrayList<>(g.alerts.values());
        g.lastFlush = now;
        g.changed = false;
        for (GroupAlert a : batch) {
          if (a.resolved()) {
            g.alerts.remove(a.fingerprint());
            g.notifiedState.put(a.fingerprint(), true);
          } else {
            g.notifiedState.put(a.fingerprint(), false);
          }
        }
        ReceiverConfig rc = config.receivers().get(g.route.receiver());
        long deadline = now + g.route.groupIntervalMillis();
        String key = g.key;
        Labels gl = g.groupLabels;
        flushes.add(() -> deliver(rc, key, gl, batch, deadline));
      }
    }
    for (Runnable f : flushes) {
      senders.execute(f);
    }
  }

  private void deliver(ReceiverConfig rc, String groupKey, Labels groupLabels, List<GroupAlert> alerts, long deadline) {
    if (rc == null) {
      return;
    }
    for (ReceiverConfig.Integration in : rc.integrations()) {
      List<GroupAlert> selected = new ArrayList<>();
      for (GroupAlert a : alerts) {
        if (!a.resolved() || in.sendResolved()) {
          selected.add(a);
        }
      }
      if (selected.isEmpty()) {
        continue;
      }
      int truncated = 0;
      if (in.maxAlerts() > 0 && selected.size() > in.maxAlerts()) {
        truncated = selected.size() - in.maxAlerts();
        selected = selected.subList(0, in.maxAlerts());
      }
      Payloads.Notification n = new Payloads.Notification(rc.name(), groupKey, groupLabels, selected, truncated, externalURL);
      byte[] body = switch (in.kind()) {
        case WEBHOOK -> Payloads.webhook(n);
        case SLACK -> Payloads.slack(n, in.channel());
        case TEAMS_WORKFLOWS -> Payloads.teamsWorkflows(n);
        case TEAMS_LEGACY -> Payloads.teamsLegacy(n);
      };
      post(rc.name(), in, body, deadline);
    }
  }

  private void post(String receiver, ReceiverConfig.Integration in, byte[] body, long deadline) {
    long backoff = 500;
    while (true) {
      String problem;
      try {
        HttpRequest req = HttpRequest.newBuilder(URI.create(in.url())).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json; charset=utf-8").header("User-Agent", "Kiln")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        int code = resp.statusCode();
        if (code / 100 == 2) {
          return;
        }
        if (code != 429 && code < 500) {
          LOG.warn("notification to receiver {} ({}) rejected with {}: {}", receiver, in.kind(), code, resp.body());
          return;
        }
        problem = "HTTP " + code;
        String retryAfter = resp.headers().firstValue("Retry-After").orElse(null);
        if (retryAfter != null && retryAfter.matches("\\d+")) {
          backoff = Math.max(backoff, Long.parseLong(retryAfter) * 1000);
        }
      } catch (IOException e) {
        problem = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (clock.millis() + backoff > deadline) {
        LOG.warn("giving up notification to receiver {} ({}) after {}", receiver, in.kind(), problem);
        return;
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    senders.shutdownNow();
  }
}
