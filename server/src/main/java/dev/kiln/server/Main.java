package dev.kiln.server;

import dev.kiln.config.ByteSizes;
import dev.kiln.config.ConfigException;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.server.rules.RuleFileException;
import dev.kiln.server.rules.RuleFileParser;
import dev.kiln.server.rules.RuleGroupSpec;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Durations;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Entry point of the Kiln server process, with Prometheus's flag names. */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = KilnVersion.class,
    description = "Kiln: a Prometheus-compatible time-series database and scraper server.",
    subcommands = {Main.Check.class, Main.Test.class})
public final class Main implements Callable<Integer> {
  @Option(names = "--config.file", description = "Prometheus configuration file (default: embedded, scrapes Kiln and the host every 15s).")
  Path configFile;

  @Option(names = "--storage.tsdb.path", defaultValue = "data/", description = "Base path for metrics storage.")
  Path dataPath;

  @Option(names = "--storage.tsdb.retention.time", defaultValue = "15d", description = "How long to retain samples.")
  String retentionTime;

  @Option(names = "--storage.tsdb.retention.size", defaultValue = "0", description = "Maximum bytes of blocks to keep (e.g. 512MB).")
  String retentionSize;

  @Option(names = "--web.listen-address", defaultValue = "0.0.0.0:9090", description = "Address to listen on.")
  String listenAddress;

  @Option(names = "--web.external-url", defaultValue = "", description = "URL under which Kiln is reachable externally.")
  String externalUrl;

  @Option(names = "--web.enable-remote-write-receiver", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Accept remote write at /api/v1/write (default on).")
  boolean remoteWrite;

  @Option(names = "--web.enable-otlp-receiver", description = "Accept OTLP metrics at /api/v1/otlp/v1/metrics.")
  boolean otlpReceiver;

  @Option(names = "--web.enable-admin-api", description = "Enable the admin API endpoints.")
  boolean adminApi;

  @Option(names = "--web.enable-lifecycle", description = "Enable shutdown and reload via HTTP.")
  boolean lifecycle;

  @Option(names = "--query.timeout", defaultValue = "2m", description = "Maximum time a query may take.")
  String queryTimeout;

  @Option(names = "--query.max-samples", defaultValue = "50000000", description = "Maximum samples a query may load.")
  long maxSamples;

  @Option(names = "--query.lookback-delta", defaultValue = "5m", description = "Lookback for instant vector selectors.")
  String lookbackDelta;

  @Option(names = "--query.max-concurrency", defaultValue = "20", description = "Maximum queries run concurrently.")
  int maxConcurrency;

  @Option(names = "--log.level", defaultValue = "info", description = "debug, info, warn or error.")
  String logLevel;

  @CommandLine.Mixin
  PrometheusFlags prom = new PrometheusFlags();

  /** {@code --web.enable-otlp-receiver}, or Prometheus 2's {@code --enable-feature=otlp-write-receiver}. */
  boolean otlpReceiverEnabled() {
    return otlpReceiver || prom.features.stream().flatMap(f -> java.util.Arrays.stream(f.split(",")))
        .anyMatch(f -> f.strip().equals("otlp-write-receiver"));
  }

  public static void main(String[] args) {
    dev.kiln.server.http.NettyMemoryDefaults.apply(System.getProperties());
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return commandLine(new Main());
  }

  /**
   * The command line for {@code main}. Negatable flags get kingpin's {@code --no-} form on dotted
   * names too ({@code --no-storage.tsdb.wal-compression}, as the Prometheus Operator passes it):
   * picocli's default transformer only negates names made of word characters and dashes.
   */
  static CommandLine commandLine(Main main) {
    CommandLine cmd = new CommandLine(main);
    cmd.setNegatableOptionTransformer(new CommandLine.RegexTransformer.Builder()
        .addPattern("^--no-([\\w.-]+)$", "--$1", "--[no-]$1")
        .addPattern("^--([\\w.-]+)$", "--no-$1", "--[no-]$1")
        .build());
    return cmd;
  }

  private static long duration(CommandLine cmd, String flag, String value) {
    try {
      return Durations.parseMillis(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, "invalid value for " + flag + ": " + e.getMessage());
    }
  }

  /** Flags that parse but name an unusable file; carries Prometheus's exit code. */
  static final class StartupError extends Exception {
    final int exitCode;

    StartupError(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  @Override
  public Integer call() throws Exception {
    KilnOptions opts;
    try {
      opts = options();
    } catch (StartupError e) {
      System.err.println(e.getMessage());
      return e.exitCode;
    }
    return run(opts);
  }

  /** Turns the parsed flags into options, validating values and the files they name as Prometheus does at start-up. */
  KilnOptions options() throws StartupError {
    CommandLine cmd = new CommandLine(this);
    if (!List.of("debug", "info", "warn", "error").contains(logLevel)) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --log.level: " + logLevel);
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", logLevel);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    long retention = duration(cmd, "--storage.tsdb.retention.time", retentionTime);
    long retentionBytes;
    try {
      retentionBytes = ByteSizes.parseBytes(retentionSize);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --storage.tsdb.retention.size: " + e.getMessage());
    }
    int colon = listenAddress.lastIndexOf(':');
    if (colon < 0) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --web.listen-address: " + listenAddress + " (want host:port)");
    }
    int port;
    try {
      port = Integer.parseInt(listenAddress.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(cmd, "invalid value for --web.listen-address: " + listenAddress);
    }
    String host = listenAddress.substring(0, colon);
    String externalPath;
    try {
      externalPath = externalUrl.isEmpty() ? "" : ExternalUrls.path(externalUrl);
    } catch (IllegalArgumentException e) {
      throw new StartupError(2, "parse external URL \"" + externalUrl + "\": " + e.getMessage());
    }
    if (prom.deprecatedRetention != null && retentionTime.equals("15d")) {
      retention = duration(cmd, "--storage.tsdb.retention", prom.deprecatedRetention);
    }
    WebOptions web = prom.webOptions(externalPath);
    Tuning tuning = prom.tuning(cmd);
    KilnOptions opts = new KilnOptions(configFile, dataPath, retention, retentionBytes, host.isEmpty() ? "0.0.0.0" : host, port,
        remoteWrite || tuning.features().contains("remote-write-receiver"), adminApi, lifecycle,
        duration(cmd, "--query.timeout", queryTimeout), maxSamples,
        duration(cmd, "--query.lookback-delta", lookbackDelta), maxConcurrency, externalUrl, web, tuning);
    if (prom.webConfigFile != null) {
      try {
        new dev.kiln.server.web.WebSecurity(prom.webConfigFile);
      } catch (dev.kiln.server.web.WebConfigException e) {
        throw new StartupError(1, "Unable to validate web configuration file (--web.config.file=" + prom.webConfigFile
            + "): " + e.getMessage());
      }
    }
    if (configFile != null) {
      try {
        ConfigLoader.load(configFile);
      } catch (ConfigException e) {
        throw new StartupError(1, "Error loading config (--config.file=" + configFile + "): " + e.getMessage());
      }
    }
    return opts;
  }

  private int run(KilnOptions opts) throws Exception {
    KilnServer server = new KilnServer(opts, otlpReceiverEnabled());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "kiln-shutdown"));
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> server.reload());
    } catch (IllegalArgumentException e) {
      System.err.println("SIGHUP reload unavailable: " + e.getMessage());
    }
    var addr = server.start();
    if (!"false".equals(System.getProperty("kiln.idleTrim"))) {
      server.startIdleTrimmer();
    }
    org.slf4j.LoggerFactory.getLogger(Main.class).info("Kiln {} listening on {}", KilnVersion.version(), addr);
    stopped.await();
    return 0;
  }

  /** {@code kiln test rules}: rule unit tests in promtool's format. */
  @Command(name = "test", description = "Run unit tests.", mixinStandardHelpOptions = true, subcommands = {TestRules.class})
  static final class Test implements Callable<Integer> {
    @Override
    public Integer call() {
      System.err.println("usage: kiln test rules FILE...");
      return 2;
    }
  }

  @Command(name = "rules", description = "Run rule unit-test files (promtool format).", mixinStandardHelpOptions = true)
  static final class TestRules implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
      dev.kiln.server.rules.RuleUnitTester tester = new dev.kiln.server.rules.RuleUnitTester(System.out);
      boolean ok = true;
      for (Path f : files) {
        ok &= tester.run(f);
      }
      return ok ? 0 : 1;
    }
  }

  /** {@code kiln check config|rules}: validation without starting, like promtool. */
  @Command(name = "check", description = "Validate configuration or rule files.", mixinStandardHelpOptions = true,
      subcommands = {CheckConfig.class, CheckRules.class})
  static final class Check implements Callable<Integer> {
    @Override
    public Integer call() {
      System.err.println("usage: kiln check config FILE | kiln check rules FILE...");
      return 2;
    }
  }

  @Command(name = "config", description = "Check a prometheus.yml and the rule files it names.", mixinStandardHelpOptions = true)
  static final class CheckConfig implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
      int failed = 0;
      for (Path f : files) {
        System.out.println("Checking " + f);
        try {
          PrometheusConfig c = ConfigLoader.load(f);
          System.out.println("  SUCCESS: " + f + " is valid prometheus config file syntax");
          for (String glob : c.ruleFiles()) {
            for (Path rf : dev.kiln.config.Globs.expand(null, glob)) {
              failed += CheckRules.check(rf, c.global().evaluationIntervalMillis());
            }
          }
        } catch (ConfigException e) {
          System.out.println("  FAILED: " + e.getMessage());
          failed++;
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(name = "rules", description = "Check rule files.", mixinStandardHelpOptions = true)
  static final class CheckRules implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
      int failed = 0;
      for (Path f : files) {
        failed += check(f, 60_000);
      }
      return failed == 0 ? 0 : 1;
    }

    static int check(Path f, long interval) {
      System.out.println("Checking " + f);
      InMemoryStorage empty = new InMemoryStorage();
      Engine engine = new Engine(EngineOptions.DEFAULTS);
      RuleFileParser parser = new RuleFileParser(expr -> engine.instantQuery(empty, QueryOptions.DEFAULTS, expr, 0).close());
      try {
        List<RuleGroupSpec> groups = parser.parse(f, interval, 0);
        int n = groups.stream().mapToInt(g -> g.rules().size()).sum();
        System.out.println("  SUCCESS: " + n + " rules found");
        return 0;
      } catch (RuleFileException e) {
        System.out.println("  FAILED:\n" + e.getMessage());
        return 1;
      }
    }
  }
}
