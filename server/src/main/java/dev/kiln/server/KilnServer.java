package dev.kiln.server;

import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.scraper.host.HostCollector;
import dev.kiln.scraper.scrape.ScrapeManager;
import dev.kiln.scraper.scrape.SocketHttpFetcher;
import dev.kiln.server.alerting.AlertmanagerNotifier;
import dev.kiln.server.api.QueryApi;
import dev.kiln.server.api.RulesApi;
import dev.kiln.server.api.SelfMetrics;
import dev.kiln.server.api.SeriesApi;
import dev.kiln.server.api.StatusApi;
import dev.kiln.server.api.TargetsApi;
import dev.kiln.server.http.ApiResponses;
import dev.kiln.server.http.HttpServer;
import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import dev.kiln.server.http.Router;
import dev.kiln.server.remotewrite.RemoteWriteHandler;
import dev.kiln.server.rules.RuleContext;
import dev.kiln.server.rules.RuleFileParser;
import dev.kiln.server.rules.RuleManager;
import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.model.Durations;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Kiln process: the database, the PromQL engine, the scraper, rules and alerting, and the
 * HTTP API, wired by hand. {@link #start()} serves HTTP at once (answering 503 until the WAL is
 * replayed), then starts scraping and rule evaluation; {@link #close()} shuts down in reverse.
 */
public final class KilnServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KilnServer.class);

  private final KilnOptions opts;
  private final boolean otlpReceiver;
  private final dev.kiln.server.otlp.OtlpStats otlpStats = new dev.kiln.server.otlp.OtlpStats();
  private final Clock clock = Clock.systemUTC();
  private final SelfMetrics metrics = new SelfMetrics();
  private final Router router = new Router();
  private final ExecutorService workers = Executors.newFixedThreadPool(
      Math.max(8, Runtime.getRuntime().availableProcessors() * 4), daemon("kiln-http"));
  /** Decode the series of large selections beside the query's own thread: one per further core. */
  private final int queryHelpers = Runtime.getRuntime().availableProcessors() - 1;
  private final ExecutorService queryWorkers = Executors.newFixedThreadPool(Math.max(1, queryHelpers),
      daemon("kiln-query-worker"));
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("kiln-timers"));
  /** Gives back the mapped file pages and the C heap queries used when the last query ends. */
  private final ScheduledExecutorService pageRelease =
      Executors.newSingleThreadScheduledExecutor(daemon("kiln-query-release"));
  /** The heap-shrinking collection of idle trims and of releases after queries, shared so that they never overlap. */
  private final dev.kiln.server.memory.ShrinkingCollection shrinkingCollection =
      dev.kiln.server.memory.ShrinkingCollection.defaults();
  private final dev.kiln.server.memory.HeapGrowth heapGrowth = dev.kiln.server.memory.HeapGrowth.ofJvm();
  /** How long no query must have run before the heap is shrunk after queries: one shrink per burst. */
  static final long HEAP_SHRINK_QUIET_MILLIS = 250;
  private final HostCollector host = new HostCollector();
  private Db db;
  private Engine engine;
  private HttpServer http;
  private ScrapeManager scrape;
  private RuleManager rules;
  private AlertmanagerNotifier notifier;
  private final dev.kiln.server.remote.RemoteStorage remote =
      new dev.kiln.server.remote.RemoteStorage("Kiln/" + KilnVersion.version());
  private dev.kiln.server.notify.DirectNotifier direct;
  private dev.kiln.server.push.PushIngester pushIngester;
  private dev.kiln.server.push.PushStore pushStore;
  private volatile PrometheusConfig config;
  private dev.kiln.server.memory.IdleTrimmer idleTrimmer;
  private volatile boolean ready;
  private volatile boolean lastReloadOk = true;
  private volatile long lastReloadMillis;
  private InetSocketAddress address;
  private dev.kiln.server.web.WebSecurity webSecurity;
  private dev.kiln.config.StorageSettings startupStorage;

  public KilnServer(KilnOptions opts) {
    this(opts, false);
  }

  /**
   * @param otlpReceiver {@code --web.enable-otlp-receiver}: accept OTLP metrics at
   *     {@code /api/v1/otlp/v1/metrics}
   */
  public KilnServer(KilnOptions opts, boolean otlpReceiver) {
    this.opts = opts;
    this.otlpReceiver = otlpReceiver;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts serving; returns the bound address. Replay and the scraper continue in the background. */
  public InetSocketAddress start() throws Exception {
    dev.kiln.config.StorageSettings fromFile = opts.configFile() == null
        ? dev.kiln.config.StorageSettings.NONE : ConfigLoader.load(opts.configFile()).storage();
    startupStorage = fromFile;
    long retentionMillis = fromFile.retentionMillis() >= 0 ? fromFile.retentionMillis() : opts.retentionMillis();
    long retentionBytes = fromFile.retentionBytes() >= 0 ? fromFile.retentionBytes() : opts.retentionBytes();
    DbOptions.Builder dbOpts = DbOptions.builder().retentionMillis(retentionMillis);
    if (retentionBytes > 0) {
      dbOpts.retentionBytes(retentionBytes);
    }
    Tuning t = opts.tuning();
    if (t.minBlockMillis() > 0) {
      dbOpts.chunkRangeMillis(t.minBlockMillis());
    }
    if (t.maxBlockMillis() > 0) {
      dbOpts.maxBlockMillis(t.maxBlockMillis());
    }
    if (t.samplesPerChunk() > 0) {
      dbOpts.samplesPerChunk(t.samplesPerChunk());
    }
    if (t.walSegmentBytes() > 0) {
      dbOpts.walSegmentBytes(t.walSegmentBytes());
    }
    dbOpts.walSyncIntervalMillis(t.walFsyncIntervalMillis());
    dbOpts.walCompression(t.walCompression());
    db = Db.create(opts.dataPath(), dbOpts.build(), FileIo.DEFAULT);
    if (exemplarStorage()) {
      db.resizeExemplars(fromFile.maxExemplars());
    }
    metrics.attach(db);
    metrics.addSection(remote::metricsText);
    metrics.addSection(otlpStats::metricsText);
    http = new HttpServer(router, workers, this::gate, 64 << 20);
    http.setObserver(metrics::request);
    if (opts.web().webConfigFile() != null) {
      webSecurity = new dev.kiln.server.web.WebSecurity(opts.web().webConfigFile());
      http.setGuard(webSecurity);
    }
    http.setMaxConnections(opts.web().maxConnections());
    http.setRoutePrefix(opts.web().routePrefix());
    address = http.start(opts.listenHost(), opts.listenPort());
    config = loadConfig();
    engine = new Engine(new EngineOptions(opts.queryMaxSamples(), opts.queryTimeoutMillis(), opts.lookbackDeltaMillis(), 11_000,
        config.global().evaluationIntervalMillis()), queryWorkers, queryHelpers);
    lastReloadMillis = clock.millis();
    metrics.configReload(true, lastReloadMillis);
    notifier = new AlertmanagerNotifier(config.global().externalLabels(), externalUrl(), "Kiln/" + KilnVersion.version());
    RuleContext ctx = new RuleContext(engine, db, config.global().externalLabels(), externalUrl());
    dev.kiln.server.rules.AlertSink sink = (expr, alerts) -> {
      notifier.send(expr, alerts);
      dev.kiln.server.notify.DirectNotifier d = direct;
      if (d != null) {
        d.send(expr, alerts);
      }
    };
    rules = new RuleManager(ctx, db, sink, clock, opts.tuning().resendDelayMillis(), ruleParser());
    String agent = "Kiln/" + KilnVersion.version();
    scrape = new ScrapeManager(db, new SocketHttpFetcher(), clock, agent, 8,
        dev.kiln.scraper.discovery.kubernetes.KubeEnvironment.system(agent),
        opts.tuning().features().contains("native-histograms"));
    scrape.setCreatedTimestampZeroIngestion(opts.tuning().features().contains("created-timestamp-zero-ingestion"));
    ScrapeManager scrapes = scrape;
    metrics.addSection(scrapes.appendErrors()::metricsText);
    remote.setMetadataSource(() -> scrapes.targetMetadata().stream()
        .map(m -> new dev.kiln.server.remote.FamilyMetadata(m.metric(), m.metadata())).toList());
    registerRoutes();
    pushStore = new dev.kiln.server.push.PushStore(opts.dataPath().resolve("pushgateway").resolve("groups.json"));
    java.time.Instant started = clock.instant();
    new dev.kiln.server.push.PushApi(pushStore, clock, opts.adminApi(), new dev.kiln.server.push.PushStatus(Map.of(
        "branch", "main", "buildDate", KilnVersion.buildDate(), "buildUser", "kiln",
        "goVersion", "java" + System.getProperty("java.version"), "revision", KilnVersion.revision(),
        "version", KilnVersion.version()), flags(), started.getEpochSecond() * 1_000_000_000L + started.getNano())).register(router);
    pushIngester = new dev.kiln.server.push.PushIngester(pushStore, db, clock, config.global().scrapeIntervalMillis());
    Thread replay = new Thread(this::replayThenRun, "kiln-wal-replay");
    replay.setDaemon(true);
    replay.start();
    return address;
  }

  private void replayThenRun() {
    try {
      long t0 = System.nanoTime();
      db.start();
      LOG.info("WAL replay completed in {} ms", (System.nanoTime() - t0) / 1_000_000);
      db.addCommitListener(remote);
      applyConfig(config);
      ready = true;
      LOG.info("Server is ready to receive web requests.");
    } catch (RuntimeException e) {
      LOG.error("Kiln cannot start: {}", e.getMessage(), e);
      Runtime.getRuntime().halt(1);
    }
  }

  private RuleFileParser ruleParser() {
    return new RuleFileParser(expr -> engine.instantQuery(db, QueryOptions.DEFAULTS, expr, 0).close());
  }

  private String externalUrl() {
    if (opts.externalUrl() != null && !opts.externalUrl().isEmpty()) {
      return opts.externalUrl().replaceAll("/+$", "");
    }
    String host = opts.listenHost().equals("0.0.0.0") || opts.listenHost().isEmpty() ? hostname() : opts.listenHost();
    boolean tls = webSecurity != null && webSecurity.config().tls().enabled();
    return (tls ? "https://" : "http://") + host + ":" + address.getPort();
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  private PrometheusConfig loadConfig() {
    if (opts.configFile() == null) {
      return ConfigLoader.parse("embedded", EmbeddedConfig.yaml(address.getPort()), Path.of("."));
    }
    return ConfigLoader.load(opts.configFile());
  }

  /** Whether {@code --enable-feature=exemplar-storage} is on (else, as Prometheus, no exemplar is kept). */
  private boolean exemplarStorage() {
    return opts.tuning().features().contains("exemplar-storage");
  }

  private void applyConfig(PrometheusConfig c) {
    if (exemplarStorage()) {
      db.resizeExemplars(c.storage().maxExemplars());
    }
    dev.kiln.server.notify.NotificationConfig nc =
        c.notificationsFile() == null ? null : dev.kiln.server.notify.NotificationConfig.load(c.notificationsFile());
    rules.load(c.ruleFiles(), c.global().evaluationIntervalMillis(), c.global().ruleQueryOffsetMillis());
    scrape.apply(c);
    remote.apply(c.remoteWrite(), c.global().externalLabels());
    notifier.apply(c.alerting(), am -> scrape.discoverers(am.staticConfigs(), am.fileSdConfigs(), am.kubernetesSdConfigs()));
    if (nc == null && direct != null) {
      direct.close();
      direct = null;
    } else if (nc != null && direct == null) {
      direct = new dev.kiln.server.notify.DirectNotifier(nc, c.global().externalLabels(), externalUrl(), clock);
    } else if (nc != null) {
      direct.apply(nc);
    }
  }

  /**
   * Reloads the configuration file; a bad configuration is rejected and the old one keeps running.
   *
   * @return null on success, else the error
   */
  public synchronized String reload() {
    try {
      PrometheusConfig next = loadConfig();
      applyConfig(next);
      if (!next.storage().sameRetention(startupStorage)) {
        LOG.warn("storage.tsdb.retention changed in {}; Kiln applies it at the next start", next.source());
      }
      config = next;
      lastReloadOk = true;
      lastReloadMillis = clock.millis();
      metrics.configReload(true, lastReloadMillis);
      LOG.info("Completed loading of configuration file {}", next.source());
      return null;
    } catch (RuntimeException e) {
      lastReloadOk = false;
      metrics.configReload(false, clock.millis());
      LOG.error("Error reloading config: {}", e.getMessage());
      return e.getMessage();
    }
  }

  /**
   * When the last running query ends, drops the storage's resident file pages and returns glibc's
   * free memory, spaced by 20 times the step's CPU time; once no query has run for {@link
   * #HEAP_SHRINK_QUIET_MILLIS}, shrinks a heap that the queries grew with one collection, spaced by 20
   * times its CPU time (docs/operations.md, "Memory and JVM settings"). Null with {@code
   * -Dkiln.queryRelease=false}; the heap only with {@code -Dkiln.queryHeapShrink=true} (it cost about a
   * tenth more query CPU in the dashboard benchmark: the heap grows back in the next burst).
   */
  private dev.kiln.server.memory.QueryActivity afterQueryRelease() {
    Db d = db;
    if (d == null || "false".equals(System.getProperty("kiln.queryRelease"))) {
      return null;
    }
    boolean pages = d.canDropResidentPages();
    dev.kiln.server.memory.NativeHeapTrim nativeTrim = new dev.kiln.server.memory.NativeHeapTrim();
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.function.LongSupplier collectionCpu = dev.kiln.server.memory.CollectionCpu.ofJvm();
    dev.kiln.server.memory.AfterQueryRelease.Delayer delayer =
        (task, nanos) -> pageRelease.schedule(task, nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    java.util.List<dev.kiln.server.memory.QueryActivity> releases = new java.util.ArrayList<>();
    releases.add(new dev.kiln.server.memory.AfterQueryRelease(() -> {
      if (ready && pages) {
        d.dropResidentPages();
      }
      nativeTrim.trim();
    }, pageRelease, delayer, System::nanoTime, threads::getCurrentThreadCpuTime, 20, 0));
    if ("true".equals(System.getProperty("kiln.queryHeapShrink"))) {
      releases.add(new dev.kiln.server.memory.AfterQueryRelease(() -> {
        if (heapGrowth.grown()) {
          shrinkingCollection.collect();
          heapGrowth.shrunk();
        }
      }, pageRelease, delayer, System::nanoTime, () -> threads.getCurrentThreadCpuTime() + collectionCpu.getAsLong(),
          20, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(HEAP_SHRINK_QUIET_MILLIS)));
    }
    return dev.kiln.server.memory.QueryActivity.all(releases);
  }

  private Response gate(Request r) {
    if (ready) {
      return null;
    }
    if (r.path().startsWith("/api/v1/") && !r.path().equals("/api/v1/status/walreplay")) {
      return ApiResponses.error("unavailable", 503, "Service Unavailable: Kiln is replaying its write-ahead log");
    }
    return null;
  }

  private void registerRoutes() {
    new QueryApi(engine, db, clock, opts.queryTimeoutMillis(), opts.queryMaxConcurrency(), timers,
        () -> config.global().scrapeIntervalMillis(), afterQueryRelease()).register(router);
    new dev.kiln.server.api.QueryFormatApi().register(router);
    new SeriesApi(db).register(router);
    new dev.kiln.server.api.FederateApi(db, clock, opts.lookbackDeltaMillis(), () -> config.global().externalLabels()).register(router);
    new dev.kiln.server.api.AdminApi(db, opts.adminApi()).register(router);
    new TargetsApi(() -> scrape).register(router);
    new RulesApi(() -> rules).register(router);
    new StatusApi(db, () -> dev.kiln.server.api.SecretRedactor.redact(config.text()), flags(), () -> lastReloadOk, () -> lastReloadMillis,
        Durations.format(db.options().retentionMillis())).register(router);
    new dev.kiln.server.api.ExemplarsApi(db::exemplarQuerier).register(router);
    router.read("/api/v1/alertmanagers", r -> ApiResponses.success(out -> {
      out.beginObject().name("activeAlertmanagers").beginArray();
      notifier.targets().forEach(t -> out.beginObject().name("url").value(t.url().toString()).endObject());
      out.endArray().name("droppedAlertmanagers").beginArray().endArray().endObject();
    }));
    router.add(Set.of("POST"), "/api/v1/read",
        new dev.kiln.server.remoteread.RemoteReadHandler(db, () -> config.global().externalLabels()));
    if (opts.remoteWriteReceiver()) {
      router.add(Set.of("POST"), "/api/v1/write", new dev.kiln.server.remotewrite.AcceptedMessages(
          new RemoteWriteHandler(db, clock, metrics.remoteWrite()), opts.tuning().remoteWriteMessages()));
    }
    router.add(Set.of("POST"), "/api/v1/otlp/v1/metrics", otlpReceiver
        ? new dev.kiln.server.otlp.OtlpHandler(db, clock, () -> config.otlp(), opts.lookbackDeltaMillis(), otlpStats, 256L << 20)
        : r -> Response.text(404, "otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n"));
    router.read("/metrics", r -> dev.kiln.server.exposition.ExpositionFormat.negotiate(r.header("accept"))
        == dev.kiln.server.exposition.ExpositionFormat.PROTOBUF
        ? new Response(200, dev.kiln.server.exposition.ExpositionFormat.PROTOBUF.contentType(), metrics.scrapeProtobuf(),
            new java.util.LinkedHashMap<>())
        : Response.text(200, metrics.scrape()).withHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
    router.read("/host/metrics", r -> Response.text(200, host.collect()).withHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
    router.read("/-/healthy", r -> Response.text(200, "Kiln is Healthy.\n"));
    router.read("/-/ready", r -> ready ? Response.text(200, "Kiln is Ready.\n") : Response.text(503, "Service Unavailable\n"));
    router.add(Set.of("POST", "PUT"), "/-/reload", r -> {
      if (!opts.lifecycle()) {
        return Response.text(403, "Lifecycle API is not enabled.\n");
      }
      String err = reload();
      return err == null ? Response.text(200, "") : Response.text(500, "failed to reload config: " + err + "\n");
    });
    router.add(Set.of("POST", "PUT"), "/-/quit", r -> {
      if (!opts.lifecycle()) {
        return Response.text(403, "Lifecycle API is not enabled.\n");
      }
      timers.schedule(() -> System.exit(0), 100, TimeUnit.MILLISECONDS);
      return Response.text(200, "Requesting termination... Goodbye!\n");
    });
    WebUi ui = new WebUi(java.net.URI.create(externalUrl()).getRawPath().replaceAll("/+$", ""), opts.web().pageTitle());
    for (String page : new String[] {"/", "/graph", "/targets", "/alerts", "/rules"}) {
      router.read(page, ui::page);
    }
    router.read("/static/*", ui::asset);
  }

  private Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("config.file", opts.configFile() == null ? "" : opts.configFile().toString());
    f.put("storage.tsdb.path", opts.dataPath().toString());
    f.put("storage.tsdb.retention.time", Durations.format(db.options().retentionMillis()));
    f.put("storage.tsdb.retention.size", db.options().retentionBytes() + "B");
    f.put("storage.tsdb.wal-compression", Boolean.toString(db.options().walCompressionEnabled()));
    f.put("web.listen-address", opts.listenHost() + ":" + opts.listenPort());
    f.put("web.enable-remote-write-receiver", Boolean.toString(opts.remoteWriteReceiver()));
    f.put("web.enable-otlp-receiver", Boolean.toString(otlpReceiver));
    f.put("web.enable-admin-api", Boolean.toString(opts.adminApi()));
    f.put("web.enable-lifecycle", Boolean.toString(opts.lifecycle()));
    f.put("web.external-url", opts.externalUrl() == null ? "" : opts.externalUrl());
    f.put("query.timeout", Durations.format(opts.queryTimeoutMillis()));
    f.put("query.max-samples", Long.toString(opts.queryMaxSamples()));
    f.put("query.lookback-delta", Durations.format(opts.lookbackDeltaMillis()));
    f.put("query.max-concurrency", Integer.toString(opts.queryMaxConcurrency()));
    f.put("web.config.file", opts.web().webConfigFile() == null ? "" : opts.web().webConfigFile().toString());
    f.put("web.route-prefix", opts.web().routePrefix());
    f.put("web.page-title", opts.web().pageTitle());
    f.put("web.max-connections", Integer.toString(opts.web().maxConnections()));
    f.put("enable-feature", String.join(",", opts.tuning().features()));
    f.put("rules.alert.resend-delay", Durations.format(opts.tuning().resendDelayMillis()));
    return f;
  }

  /**
   * The push groups in the text format as the Pushgateway's {@code /metrics} exposes them, which
   * the push ingest reads when no group holds a protobuf-pushed family (tests).
   */
  public String pushExposition() {
    return pushStore.exposition();
  }

  /** Ingests the push store now instead of at the next interval (tests). */
  public void ingestPushesNow() {
    pushIngester.ingestNow();
  }

  /** The database (for embedding and tests). */
  public Db storage() {
    return db;
  }

  public boolean isReady() {
    return ready;
  }

  public InetSocketAddress address() {
    return address;
  }

  /**
   * Starts giving memory back whenever the server goes idle after work (mapped file pages, the heap a
   * query burst grew, glibc's free memory; docs/operations.md, "Memory and JVM settings"). Call after
   * {@link #start()}; the launcher's server does, unless {@code -Dkiln.idleTrim=false}.
   */
  public synchronized void startIdleTrimmer() {
    if (idleTrimmer != null || db == null) {
      return;
    }
    Db d = db;
    dev.kiln.server.memory.NativeHeapTrim nativeTrim = new dev.kiln.server.memory.NativeHeapTrim();
    idleTrimmer = new dev.kiln.server.memory.IdleTrimmer(
        new dev.kiln.server.memory.IdleTrimPolicy(dev.kiln.server.memory.IdleTrimPolicy.Settings.DEFAULTS),
        dev.kiln.server.memory.ProcessGauges.jvm(), new dev.kiln.server.memory.IdleTrimmer.Steps() {
          @Override
          public void releaseMappedPages() {
            if (ready && !d.dropResidentPages()) {
              d.releaseResidentPages();
            }
          }

          @Override
          public void collect() {
            shrinkingCollection.collect();
            heapGrowth.shrunk();
          }

          @Override
          public void trimNativeHeap() {
            nativeTrim.trim();
          }
        });
    idleTrimmer.start(1000);
  }

  /** Graceful shutdown: stop accepting, stop scraping and rules, then close the database. */
  @Override
  public void close() {
    LOG.info("Stopping Kiln");
    if (http != null) {
      http.close();
    }
    if (scrape != null) {
      scrape.close();
    }
    if (rules != null) {
      rules.close();
    }
    if (pushIngester != null) {
      pushIngester.close();
    }
    if (notifier != null) {
      notifier.close();
    }
    if (direct != null) {
      direct.close();
    }
    synchronized (this) {
      if (idleTrimmer != null) {
        idleTrimmer.close();
      }
    }
    remote.close();
    workers.shutdown();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timers.shutdownNow();
    pageRelease.shutdownNow();
    queryWorkers.shutdownNow();
    if (db != null) {
      db.close();
    }
    metrics.close();
    LOG.info("Kiln stopped");
  }
}
