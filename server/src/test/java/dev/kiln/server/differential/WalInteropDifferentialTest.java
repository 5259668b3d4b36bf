package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.differential.RemoteWriteRequests.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead log as the interchange format between Kiln and the real Prometheus 2.42: one
 * server takes a remote-write load, answers a range query and shuts down; the other starts on a
 * copy of its data directory, replays the (Snappy-compressed, by both servers' default) WAL and
 * must answer the same range query identically.
 */
class WalInteropDifferentialTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  private static final int SERIES = 300;
  private static final int POINTS = 120;
  private static final int POINTS_PER_REQUEST = 20;

  @TempDir Path dir;

  /** Fragment counts of a WAL directory's segments: {with the Snappy flag, without}. */
  private static long[] fragmentFlags(Path wal) throws IOException {
    long[] counts = new long[2];
    try (Stream<Path> files = Files.list(wal)) {
      for (Path seg : files.filter(p -> p.getFileName().toString().matches("\\d{8}")).sorted().toList()) {
        byte[] b = Files.readAllBytes(seg);
        int pos = 0;
        while (pos < b.length) {
          int inPage = pos % 32768;
          if (32768 - inPage < 7 || b[pos] == 0) {
            pos += 32768 - inPage;
            continue;
          }
          counts[(b[pos] & 0x08) != 0 ? 0 : 1]++;
          pos += 7 + (((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff));
        }
      }
    }
    return counts;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("lock")) {
          Files.copy(p, target);
        }
      }
    }
  }

  /** Requests of {@link #POINTS_PER_REQUEST} samples per series, oldest first, the last at {@code end}. */
  private static List<byte[]> load(long end) {
    Random r = new Random(SEED);
    double[] base = new double[SERIES];
    for (int i = 0; i < SERIES; i++) {
      base[i] = i % 3 == 0 ? r.nextInt(1000) : r.nextDouble() * 1e6;
    }
    List<byte[]> requests = new ArrayList<>();
    for (int from = 0; from < POINTS; from += POINTS_PER_REQUEST) {
      List<Series> batch = new ArrayList<>();
      for (int i = 0; i < SERIES; i++) {
        long[] ts = new long[POINTS_PER_REQUEST];
        double[] vs = new double[POINTS_PER_REQUEST];
        for (int k = 0; k < POINTS_PER_REQUEST; k++) {
          int point = from + k;
          ts[k] = end - (POINTS - 1 - point) * 15_000L;
          vs[k] = i % 3 == 0 ? base[i] + point * (i % 7) : base[i] * (1 + 0.001 * r.nextGaussian());
        }
        batch.add(new Series(List.of("__name__", "wal_interop", "instance", "host-" + (i % 25) + ":9100",
            "job", "node", "shard", Integer.toString(i)), ts, vs));
      }
      requests.add(RemoteWriteRequests.v1(batch));
    }
    return requests;
  }

  private static void write(ApiClient server, List<byte[]> requests) throws Exception {
    for (byte[] body : requests) {
      ApiClient.Answer a = server.postBytes("/api/v1/write", body, RemoteWriteRequests.V1_HEADERS);
      assertEquals(204, a.status(), server.server() + ": " + a.raw());
    }
  }

  private static JsonNode rangeQuery(ApiClient server, long end) throws Exception {
    ApiClient.Answer a = server.post("/api/v1/query_range", Map.of("query", "wal_interop",
        "start", Double.toString((end - (POINTS - 1) * 15_000L) / 1000.0), "end", Double.toString(end / 1000.0),
        "step", "15"));
    assertEquals(200, a.status(), server.server() + ": " + a.raw());
    JsonNode result = a.data().get("result");
    assertEquals(SERIES, result.size(), server.server() + " series");
    int points = 0;
    for (JsonNode s : result) {
      points += s.get("values").size();
    }
    assertEquals(SERIES * POINTS, points, server.server() + " points");
    return result;
  }

  /**
   * Writes {@link #load} to {@code first}'s server, queries it, stops it; starts the other on a
   * copy of the data directory and compares.
   */
  private void roundTrip(boolean kilnFirst) throws Exception {
    long end = System.currentTimeMillis() / 1000 * 1000;
    Path config = dir.resolve("empty.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Path data = Files.createDirectories(dir.resolve("first-data"));
    JsonNode before;
    String firstName;
    try (ServerProcess first = kilnFirst ? ServerProcess.kiln(config, data) : ServerProcess.prometheus(config, data)) {
      firstName = first.name();
      ApiClient api = new ApiClient(first);
      write(api, load(end));
      before = rangeQuery(api, end);
    }
    long[] flags = fragmentFlags(data.resolve("wal"));
    assertTrue(flags[0] > 0, firstName + " wrote Snappy-compressed WAL records: " + flags[0] + " of " + (flags[0] + flags[1]));
    Path copy = dir.resolve("second-data");
    copyTree(data, copy);
    try (ServerProcess second = kilnFirst ? ServerProcess.prometheus(config, copy) : ServerProcess.kiln(config, copy)) {
      JsonNode after = rangeQuery(new ApiClient(second), end);
      assertEquals(before, after, second.name() + " replaying " + firstName + "'s WAL, seed=" + SEED);
      assertTrue(!second.logText().toLowerCase(java.util.Locale.ROOT).contains("corrupt"), second.logText());
    }
  }

  @Test
  void prometheusReplaysTheCompressedWalOfKiln() throws Exception {
    roundTrip(true);
  }

  @Test
  void kilnReplaysTheCompressedWalOfPrometheus() throws Exception {
    roundTrip(false);
  }

  /** With {@code --no-storage.tsdb.wal-compression} Kiln writes plain records and replays them. */
  @Test
  void kilnWithoutWalCompressionWritesPlainRecords() throws Exception {
    long end = System.currentTimeMillis() / 1000 * 1000;
    Path config = dir.resolve("empty.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Path data = Files.createDirectories(dir.resolve("plain-data"));
    JsonNode before;
    try (ServerProcess kiln = ServerProcess.kiln(config, data, "--no-storage.tsdb.wal-compression")) {
      ApiClient api = new ApiClient(kiln);
      write(api, load(end));
      before = rangeQuery(api, end);
    }
    long[] flags = fragmentFlags(data.resolve("wal"));
    assertEquals(0, flags[0], "compressed fragments");
    assertTrue(flags[1] > 0);
    try (ServerProcess again = ServerProcess.kiln(config, data)) {
      assertEquals(before, rangeQuery(new ApiClient(again), end));
    }
  }
}
