package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.server.differential.RemoteWriteRequests.Series;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends the corpus as remote-write requests to the real Prometheus 2.42 and to Kiln, then compares
 * each request's status and everything each server stored. Kiln gets the 1.0 requests with sorted
 * and unsorted labels and the same series as 2.0; Prometheus 2.42 (no 2.0 receiver) gets 1.0.
 */
class RemoteWriteDifferentialTest {
  @TempDir static Path dir;
  private static ServerPair servers;
  private static ApiClient prom;
  private static ApiClient kil;
  private static long t0;

  @BeforeAll
  static void start() throws Exception {
    t0 = System.currentTimeMillis() / 1000 * 1000;
    servers = ServerPair.remoteWriteOnly(dir);
    prom = servers.prom;
    kil = servers.kil;
  }

  @AfterAll
  static void stop() {
    if (servers != null) {
      servers.close();
    }
  }

  /** The corpus pages' series with {@code source} added, eight samples each, 15 s apart, ending at t0. */
  private static List<Series> pageSeries(String page, String source, boolean sortLabels) {
    List<Series> out = new ArrayList<>();
    for (Corpus.PageSample s : Corpus.samples(page)) {
      List<String> pairs = new ArrayList<>(s.labelPairs());
      pairs.add("source");
      pairs.add(source);
      pairs.add("page");
      pairs.add(page);
      if (sortLabels) {
        pairs = RemoteWriteRequests.sorted(pairs);
      } else {
        // name last: certainly not in order
        pairs.add(pairs.remove(0));
        pairs.add(pairs.remove(0));
      }
      long[] ts = new long[8];
      double[] vs = new double[8];
      for (int i = 0; i < 8; i++) {
        ts[i] = t0 - (7 - i) * 15_000L;
        vs[i] = Double.isFinite(s.value()) ? s.value() + i : s.value();
      }
      out.add(new Series(pairs, ts, vs));
    }
    return out;
  }

  private record Outcome(String request, ApiClient.Answer prometheus, ApiClient.Answer kiln) {
    boolean sameStatus() {
      return prometheus.status() == kiln.status();
    }

    @Override
    public String toString() {
      return request + ": Prometheus " + prometheus.status() + " " + prometheus.raw().strip() + " | Kiln " + kiln.status() + " "
          + kiln.raw().strip();
    }
  }

  @Test
  void corpusOverRemoteWriteIsStoredAsPrometheusStoresIt() throws Exception {
    List<Outcome> outcomes = new ArrayList<>();
    int series = 0;
    int samples = 0;
    for (String page : Corpus.PAGES) {
      if (page.equals("broken.prom") || page.equals("openmetrics_bad_unit.om")) {
        continue;
      }
      List<Series> sorted = pageSeries(page, "v1-sorted", true);
      List<Series> unsorted = pageSeries(page, "v1-unsorted", false);
      List<Series> v2 = pageSeries(page, "v2", false);
      List<Series> v2AsV1 = pageSeries(page, "v2", true);
      series += 3 * sorted.size();
      samples += 3 * sorted.size() * 8;
      outcomes.add(send(page + " 1.0 sorted", RemoteWriteRequests.v1(sorted), RemoteWriteRequests.V1_HEADERS,
          RemoteWriteRequests.v1(sorted), RemoteWriteRequests.V1_HEADERS));
      outcomes.add(send(page + " 1.0 unsorted", RemoteWriteRequests.v1(unsorted), RemoteWriteRequests.V1_HEADERS,
          RemoteWriteRequests.v1(unsorted), RemoteWriteRequests.V1_HEADERS));
      outcomes.add(send(page + " 2.0 (1.0 sorted to Prometheus)", RemoteWriteRequests.v1(v2AsV1), RemoteWriteRequests.V1_HEADERS,
          RemoteWriteRequests.v2(v2), RemoteWriteRequests.V2_HEADERS));
    }
    outcomes.forEach(System.out::println);
    System.out.println("remote-write corpus: " + outcomes.size() + " requests, " + series + " series, " + samples + " samples");
    List<String> statusDiffs = outcomes.stream().filter(o -> !o.sameStatus()).map(Outcome::toString).toList();
    long end = t0 / 1000 + 60;
    StoredData p = StoredData.read(prom, "{source=~\"v1-sorted|v1-unsorted|v2\"}", end - 3600, end, StoredData.Samples.EXACT);
    StoredData k = StoredData.read(kil, "{source=~\"v1-sorted|v1-unsorted|v2\"}", end - 3600, end, StoredData.Samples.EXACT);
    List<String> diffs = p.differences(k);
    System.out.println("stored: Prometheus " + p.series().size() + " series / " + p.sampleCount() + " samples, Kiln "
        + k.series().size() + " / " + k.sampleCount());
    diffs.stream().limit(60).forEach(System.out::println);
    assertEquals(List.of(), statusDiffs, "requests answered differently");
    assertEquals(0, diffs.size(), "stored data differs in " + diffs.size() + " places");
    assertTrue(p.sampleCount() > 10_000, "the corpus was stored at all: " + p.sampleCount());
  }

  private Outcome send(String name, byte[] toPrometheus, Map<String, String> promHeaders, byte[] toKiln,
      Map<String, String> kilnHeaders) throws Exception {
    return new Outcome(name, prom.postBytes("/api/v1/write", toPrometheus, promHeaders), kil.postBytes("/api/v1/write", toKiln, kilnHeaders));
  }
}
