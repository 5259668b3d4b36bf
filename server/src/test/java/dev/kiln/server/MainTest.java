package dev.kiln.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private static int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setErr(new PrintWriter(new StringWriter()));
    cmd.setOut(new PrintWriter(new StringWriter()));
    return cmd.execute(args);
  }

  @Test
  void unknownFlagsAndBadValuesExitWithTwo() {
    assertEquals(2, run("--no.such-flag"));
    assertEquals(2, run("--query.timeout=soon"));
    assertEquals(2, run("--storage.tsdb.retention.size=lots"));
    assertEquals(0, run("--version"));
    assertEquals(2, run("--log.format=xml"));
    assertEquals(2, run("--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequestV9"));
    assertEquals(2, run("--rules.alert.resend-delay=soon"));
    assertEquals(2, run("--storage.tsdb.min-block-duration=2 hours"));
    assertEquals(2, run("--web.external-url=\"http://x/\""), "a quoted external URL, as Prometheus rejects it");
  }

  @Test
  void dottedBooleanFlagsTakeKingpinsNegation() {
    Main main = new Main();
    Main.commandLine(main).parseArgs("--no-web.enable-remote-write-receiver", "--no-storage.tsdb.wal-compression",
        "--no-scrape.adjust-timestamps");
    assertEquals(false, main.remoteWrite);
    assertEquals(false, main.prom.walCompression);
    Main defaults = new Main();
    Main.commandLine(defaults).parseArgs("--storage.tsdb.wal-compression");
    assertEquals(true, defaults.remoteWrite);
    assertEquals(true, defaults.prom.walCompression);
    assertEquals(2, run("--no-no-storage.tsdb.wal-compression"));
  }

  @Test
  void walFsyncIntervalDefaultsToEveryCommitAndTakesADuration() {
    Main defaults = new Main();
    CommandLine cmd = Main.commandLine(defaults);
    cmd.parseArgs();
    assertEquals(0, defaults.prom.tuning(cmd).walFsyncIntervalMillis());
    Main timer = new Main();
    CommandLine cmd2 = Main.commandLine(timer);
    cmd2.parseArgs("--storage.tsdb.wal-fsync-interval=10s");
    assertEquals(10_000, timer.prom.tuning(cmd2).walFsyncIntervalMillis());
    assertEquals(2, run("--storage.tsdb.wal-fsync-interval=often"));
  }

  @Test
  void walCompressionIsOnByDefaultAndOnlySnappyIsAccepted() {
    Main defaults = new Main();
    CommandLine cmd = Main.commandLine(defaults);
    cmd.parseArgs();
    assertEquals(true, defaults.prom.tuning(cmd).walCompression());
    Main off = new Main();
    CommandLine cmd2 = Main.commandLine(off);
    cmd2.parseArgs("--no-storage.tsdb.wal-compression", "--storage.tsdb.wal-compression-type=snappy");
    assertEquals(false, off.prom.tuning(cmd2).walCompression());
    assertEquals(2, run("--storage.tsdb.wal-compression-type=zstd"));
    assertEquals(2, run("--storage.tsdb.wal-compression-type=gzip"));
  }

  @Test
  void checkConfigAndRules() throws Exception {
    Path good = dir.resolve("good.yml");
    Files.writeString(good, "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['h:1']}]\n");
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "scrape_configs:\n  - job_nam: a\n");
    assertEquals(0, run("check", "config", good.toString()));
    assertEquals(1, run("check", "config", bad.toString()));
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n");
    assertEquals(0, run("check", "rules", rules.toString()));
    Files.writeString(rules, "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n");
    assertEquals(1, run("check", "rules", rules.toString()));
  }
}
