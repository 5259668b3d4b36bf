package dev.kiln.server.differential;

import dev.kiln.scraper.Peer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Prometheus-compatible server started as its own process on a free loopback port: the real
 * Prometheus 2.42 from Debian, or Kiln through its command line in a child JVM. Both take the same
 * Prometheus flags, so a differential test starts them the same way.
 */
final class ServerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final int port;
  private final Path log;

  private ServerProcess(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The real Prometheus with {@code --web.enable-remote-write-receiver} and the given extra flags. */
  static ServerProcess prometheus(Path config, Path data, String... extraFlags) throws Exception {
    Path bin = Path.of("/usr/bin/prometheus");
    if (!Files.isExecutable(bin)) {
      // The differential suite is the comparison itself: without the peer it cannot pass.
      throw new IllegalStateException("prometheus is not installed; .ci/install-peers installs it");
    }
    return start("prometheus", List.of(bin.toString()), config, data, extraFlags);
  }

  /**
   * The real Pushgateway (Debian's {@code prometheus-pushgateway}), persisting to a file in
   * {@code dir} (never the package's default file), with the given extra flags.
   */
  static ServerProcess pushgateway(Path dir, String... extraFlags) throws Exception {
    Path bin = Path.of("/usr/bin/prometheus-pushgateway");
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException("prometheus-pushgateway is not installed; .ci/install-peers installs it");
    }
    int port = Peer.freePort();
    Path log = Files.createTempFile(dir, "pushgateway", ".log");
    List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--web.listen-address=127.0.0.1:" + port,
        "--persistence.file=" + dir.resolve("pushgateway.data")));
    cmd.addAll(List.of(extraFlags));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess("pushgateway", p, port, log);
    server.awaitReady();
    return server;
  }

  /** Kiln's {@code Main} in a child JVM on this test's class path, with the given extra flags. */
  static ServerProcess kiln(Path config, Path data, String... extraFlags) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return start("kiln", List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), "dev.kiln.server.Main"), config, data, extraFlags);
  }

  private static ServerProcess start(String name, List<String> launcher, Path config, Path data, String... extraFlags)
      throws Exception {
    int port = Peer.freePort();
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add("--config.file=" + config);
    cmd.add("--storage.tsdb.path=" + data);
    cmd.add("--storage.tsdb.retention.time=100y");
    cmd.add("--web.listen-address=127.0.0.1:" + port);
    cmd.add("--web.enable-remote-write-receiver");
    cmd.addAll(List.of(extraFlags));
    Path log = Files.createTempFile(data.getParent(), name, ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess(name, p, port, log);
    server.awaitReady();
    return server;
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(url("/-/ready")).toURL().openConnection();
        c.setConnectTimeout(200);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    close();
    throw new IllegalStateException(name + " did not become ready:\n" + Files.readString(log));
  }

  String name() {
    return name;
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  String logText() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
