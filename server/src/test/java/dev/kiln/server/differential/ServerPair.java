package dev.kiln.server.differential;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Prometheus 2.42 and Kiln, each started with the same configuration in its own data
 * directory under {@code dir}, with an API client for each. Closing stops both.
 */
final class ServerPair implements AutoCloseable {
  final ServerProcess prometheus;
  final ServerProcess kiln;
  final ApiClient prom;
  final ApiClient kil;

  private ServerPair(ServerProcess prometheus, ServerProcess kiln) {
    this.prometheus = prometheus;
    this.kiln = kiln;
    this.prom = new ApiClient(prometheus);
    this.kil = new ApiClient(kiln);
  }

  /** Both servers with a configuration that scrapes nothing: data comes by remote write. */
  static ServerPair remoteWriteOnly(Path dir) throws Exception {
    Path cfg = dir.resolve("empty.yml");
    Files.writeString(cfg, "global: {scrape_interval: 1h}\n");
    return start(dir, cfg);
  }

  /** Both servers with {@code config}, each also given {@code flags} (flags both understand). */
  static ServerPair start(Path dir, Path config, String... flags) throws Exception {
    ServerProcess p = ServerProcess.prometheus(config, Files.createDirectories(dir.resolve("prom-data")), flags);
    try {
      return new ServerPair(p, ServerProcess.kiln(config, Files.createDirectories(dir.resolve("kiln-data")), flags));
    } catch (Exception | Error e) {
      p.close();
      throw e;
    }
  }

  /** Both servers with native histograms on, each fed {@code body} as a remote-write 1.0 request. */
  static ServerPair nativeHistogramsWith(Path dir, Path config, byte[] body) throws Exception {
    ServerPair pair = start(dir, config, "--enable-feature=native-histograms");
    try {
      for (ApiClient.Answer a : pair.postToBoth("/api/v1/write", body, RemoteWriteRequests.V1_HEADERS)) {
        if (a.status() != 204) {
          throw new AssertionError("remote write answered " + a.status() + ": " + a.raw());
        }
      }
      return pair;
    } catch (Exception | Error e) {
      pair.close();
      throw e;
    }
  }

  /** Sends the same body to both; answers Prometheus's and Kiln's answers. */
  ApiClient.Answer[] postToBoth(String path, byte[] body, java.util.Map<String, String> headers) throws Exception {
    return new ApiClient.Answer[] {prom.postBytes(path, body, headers), kil.postBytes(path, body, headers)};
  }

  @Override
  public void close() {
    prometheus.close();
    kiln.close();
  }
}
