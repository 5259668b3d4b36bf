package dev.kiln.server.alerting;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.config.AlertingConfig;
import dev.kiln.config.AlertmanagerConfig;
import dev.kiln.config.relabel.RelabelConfig;
import dev.kiln.config.relabel.Relabeler;
import dev.kiln.server.rules.AlertSink;
import dev.kiln.server.rules.AlertSnapshot;
import dev.kiln.tsdb.model.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends alerts to Alertmanagers with API v2, as Prometheus's notifier: external labels are added
 * where absent, {@code alert_relabel_configs} applied, alerts queued (oldest dropped past the
 * capacity) and posted in batches of up to 256 to every configured Alertmanager. Thread-safe.
 */
public final class AlertmanagerNotifier implements AlertSink, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlertmanagerNotifier.class);
  private static final int CAPACITY = 10_000;
  private static final int BATCH = 256;
  private static final JsonFactory JSON = new JsonFactory();

  private final Labels externalLabels;
  private final String externalURL;
  private final String userAgent;
  /** One client, with its own credentials (and OAuth2 token), per distinct HTTP client setting. */
  private final java.util.Map<dev.kiln.config.HttpClientConfig, Client> clients =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final ArrayDeque<NotifierAlert> queue = new ArrayDeque<>();
  private final Thread sender;
  private volatile List<RelabelConfig> alertRelabel = List.of();
  private volatile List<AlertmanagerTarget> targets = List.of();
  private final List<dev.kiln.scraper.discovery.Discoverer> discoverers = new ArrayList<>();
  private List<java.util.Map<Integer, List<dev.kiln.config.TargetGroup>>> perConfig = List.of();
  private volatile boolean closed;
  private long dropped;
  private long sent;
  private long errors;

  public AlertmanagerNotifier(Labels externalLabels, String externalURL, String userAgent) {
    this.externalLabels = externalLabels;
    this.externalURL = externalURL;
    this.userAgent = userAgent;
    this.sender = new Thread(this::run, "kiln-notifier");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  /** Applies the {@code alerting} section with its static targets only. */
  public void apply(AlertingConfig cfg) {
    apply(cfg, am -> List.of(new dev.kiln.scraper.discovery.StaticDiscoverer(am.staticConfigs())));
  }

  /**
   * Applies the {@code alerting} section (initial load or reload): each Alertmanager entry's
   * discoverers (static, file, Kubernetes) are started, and its targets follow their updates
   * through its {@code relabel_configs}; the previous discoverers are closed, and HTTP clients of
   * settings no longer configured are dropped.
   */
  public void apply(AlertingConfig cfg,
      java.util.function.Function<AlertmanagerConfig, List<dev.kiln.scraper.discovery.Discoverer>> discovery) {
    List<AlertmanagerConfig> ams = cfg.alertmanagers();
    List<java.util.Map<Integer, List<dev.kiln.config.TargetGroup>>> groups = new ArrayList<>();
    List<List<dev.kiln.scraper.discovery.Discoverer>> created = new ArrayList<>();
    for (AlertmanagerConfig am : ams) {
      groups.add(new java.util.HashMap<>());
      created.add(discovery.apply(am));
    }
    List<dev.kiln.scraper.discovery.Discoverer> old;
    synchronized (this) {
      old = new ArrayList<>(discoverers);
      discoverers.clear();
      created.forEach(discoverers::addAll);
      alertRelabel = cfg.alertRelabelConfigs();
      perConfig = groups;
      targets = List.of();
      // Clients (and their OAuth2 tokens) of settings the new configuration no longer has go with it.
      java.util.Set<dev.kiln.config.HttpClientConfig> kept = new java.util.HashSet<>();
      ams.forEach(am -> kept.add(am.http()));
      clients.keySet().retainAll(kept);
    }
    old.forEach(dev.kiln.scraper.discovery.Discoverer::close);
    // Started outside the lock: a discoverer may call back from its own thread while holding its own lock.
    for (int i = 0; i < ams.size(); i++) {
      int index = i;
      int source = 0;
      for (dev.kiln.scraper.discovery.Discoverer d : created.get(i)) {
        int id = source++;
        d.start(g -> updated(groups, ams, index, id, g));
      }
    }
  }

  private synchronized void updated(List<java.util.Map<Integer, List<dev.kiln.config.TargetGroup>>> groups,
      List<AlertmanagerConfig> ams, int index, int source, List<dev.kiln.config.TargetGroup> g) {
    if (groups != perConfig) {
      return;
    }
    groups.get(index).put(source, g);
    List<AlertmanagerTarget> t = new ArrayList<>();
    for (int i = 0; i < ams.size(); i++) {
      List<dev.kiln.config.TargetGroup> all = new ArrayList<>();
      groups.get(i).entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> all.addAll(e.getValue()));
      t.addAll(AlertmanagerTarget.resolve(ams.get(i), all));
    }
    targets = List.copyOf(t);
  }

  public List<AlertmanagerTarget> targets() {
    return targets;
  }

  @Override
  public void send(String expr, List<AlertSnapshot> alerts) {
    String generator = externalURL + "/graph?g0.expr=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&g0.tab=1";
    List<NotifierAlert> out = new ArrayList<>();
    for (AlertSnapshot a : alerts) {
      Labels.Builder b = a.labels().toBuilder();
      externalLabels.forEach((k, v) -> {
        if (b.get(k) == null) {
          b.set(k, v);
        }
      });
      Labels l = Relabeler.process(b.build(), alertRelabel);
      if (l == null || l.isEmpty()) {
        continue;
      }
      long ends = a.resolvedAtMillis() != 0 ? a.resolvedAtMillis() : a.validUntilMillis();
      out.add(new NotifierAlert(l, a.annotations(), a.firedAtMillis() != 0 ? a.firedAtMillis() : a.activeAtMillis(), ends, generator));
    }
    enqueue(out);
  }

  /** Queues alerts for sending. */
  public synchronized void enqueue(List<NotifierAlert> alerts) {
    for (NotifierAlert a : alerts) {
      if (queue.size() >= CAPACITY) {
        queue.pollFirst();
        dropped++;
      }
      queue.addLast(a);
    }
    notifyAll();
  }

  private void run() {
    while (!closed) {
      List<NotifierAlert> batch = new ArrayList<>();
      synchronized (this) {
        while (queue.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        while (!queue.isEmpty() && batch.size() < BATCH) {
          batch.add(queue.pollFirst());
        }
      }
      if (!batch.isEmpty()) {
        post(batch);
      }
    }
  }

  private record Client(HttpClient http, dev.kiln.config.HttpAuthorization auth) {}

  /** The client for {@code http}, built on first use with its own credentials. */
  private Client client(dev.kiln.config.HttpClientConfig http) {
    return clients.computeIfAbsent(http, h -> {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
      try {
        h.configure(b, true);
      } catch (Exception e) {
        throw new IllegalStateException("Alertmanager TLS settings: " + e.getMessage(), e);
      }
      return new Client(b.build(), h.newAuthorization());
    });
  }

  private void post(List<NotifierAlert> batch) {
    byte[] body = encode(batch);
    for (AlertmanagerTarget t : targets) {
      try {
        HttpRequest.Builder rb = HttpRequest.newBuilder(t.url())
            .timeout(Duration.ofMillis(t.timeoutMillis()))
            .header("Content-Type", "application/json")
            .header("User-Agent", userAgent)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        Client client = client(t.http());
        String auth = client.auth().header();
        if (auth != null) {
          rb.header("Authorization", auth);
        }
        t.http().headers().forEach(rb::header);
        HttpResponse<String> resp = client.http().send(rb.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2) {
          errors++;
          LOG.warn("Alertmanager {} answered {}: {}", t.url(), resp.statusCode(), resp.body());
        } else {
          sent += batch.size();
        }
      } catch (IOException | RuntimeException e) {
        errors++;
        LOG.warn("cannot send alerts to {}: {}", t.url(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The Alertmanager API v2 JSON array for a batch. */
  static byte[] encode(List<NotifierAlert> batch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (NotifierAlert a : batch) {
        g.writeStartObject();
        writeLabels(g, "labels", a.labels());
        writeLabels(g, "annotations", a.annotations());
        g.writeStringField("startsAt", time(a.startsAtMillis()));
        if (a.endsAtMillis() != 0) {
          g.writeStringField("endsAt", time(a.endsAtMillis()));
        }
        g.writeStringField("generatorURL", a.generatorURL());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new IllegalStateException("BUG: in-memory JSON encoding failed", e);
    }
    return out.toByteArray();
  }

  private static void writeLabels(JsonGenerator g, String field, Labels l) throws IOException {
    g.writeObjectFieldStart(field);
    for (int i = 0; i < l.size(); i++) {
      g.writeStringField(l.name(i), l.value(i));
    }
    g.writeEndObject();
  }

  private static String time(long millis) {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(millis));
  }

  /** Alerts dropped because the queue was full. */
  public synchronized long droppedCount() {
    return dropped;
  }

  @Override
  public void close() {
    List<dev.kiln.scraper.discovery.Discoverer> old;
    synchronized (this) {
      old = new ArrayList<>(discoverers);
      discoverers.clear();
      perConfig = List.of();
    }
    old.forEach(dev.kiln.scraper.discovery.Discoverer::close);
    closed = true;
    synchronized (this) {
      notifyAll();
    }
    sender.interrupt();
  }
}
