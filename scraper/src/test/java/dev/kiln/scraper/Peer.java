package dev.kiln.scraper;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real peer program (Debian package binary) started on a free loopback port for a test. When
 * the binary is missing the test fails under CI (which installs the peers) and is skipped
 * elsewhere.
 */
public final class Peer implements AutoCloseable {
  private final Process process;
  private final int port;

  private Peer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code binary} with the arguments, where {@code {port}} is replaced by a free port, and
   * waits until {@code readyPath} answers 200.
   */
  public static Peer start(String binary, String readyPath, String... args) throws IOException, InterruptedException {
    Path bin = Path.of("/usr/bin", binary);
    if (!Files.isExecutable(bin)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(binary + " is not installed; .ci/install-peers installs it");
      }
      assumeTrue(false, binary + " is not installed (run .ci/install-peers)");
    }
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.toString());
    for (String a : args) {
      cmd.add(a.replace("{port}", Integer.toString(port)));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Peer peer = new Peer(p, port);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(binary + " exited with " + p.exitValue());
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(peer.url(readyPath)).toURL().openConnection();
        c.setConnectTimeout(200);
        if (c.getResponseCode() == 200) {
          return peer;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    peer.close();
    throw new IllegalStateException(binary + " did not become ready");
  }

  /**
   * A free loopback port: within {@code -Dkiln.test.portRange=FROM-TO} when that is set (machines
   * shared by several test runs give each its own range), else one the system picks.
   */
  public static int freePort() throws IOException {
    String range = System.getProperty("kiln.test.portRange");
    if (range != null && range.matches("\\d+-\\d+")) {
      int from = Integer.parseInt(range.substring(0, range.indexOf('-')));
      int to = Integer.parseInt(range.substring(range.indexOf('-') + 1));
      int span = to - from + 1;
      int start = (int) (System.nanoTime() % span + span) % span;
      for (int i = 0; i < span; i++) {
        int port = from + (start + i) % span;
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
          return s.getLocalPort();
        } catch (IOException taken) {
          // try the next one
        }
      }
      throw new IOException("no free port in " + range);
    }
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
