package dev.kiln.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.server.differential.RemoteWriteRequests.Series;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends the same bad or borderline remote-write requests to the real Prometheus 2.42 and to Kiln,
 * in the same order, and compares each answer's status and what each server kept.
 */
class RemoteWriteErrorsDifferentialTest {
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

  private static Series series(long t, double v, String... pairs) {
    return new Series(List.of(pairs), new long[] {t}, new double[] {v});
  }

  private static Series valid(String testCase) {
    return series(t0, 1, "__name__", "err_valid_companion", "case", testCase);
  }

  /** A request and the status each server answered. */
  private record Case(String name, int prometheus, int kiln, String prometheusBody, String kilnBody) {
    @Override
    public String toString() {
      return name + ": Prometheus " + prometheus + " " + prometheusBody.strip() + " | Kiln " + kiln + " " + kilnBody.strip();
    }
  }

  private final List<Case> cases = new ArrayList<>();

  private void send(String name, byte[] body, Map<String, String> headers) throws Exception {
    ApiClient.Answer p = prom.postBytes("/api/v1/write", body, headers);
    ApiClient.Answer k = kil.postBytes("/api/v1/write", body, headers);
    cases.add(new Case(name, p.status(), k.status(), p.raw(), k.raw()));
  }

  private void sendV1(String name, Series... series) throws Exception {
    send(name, RemoteWriteRequests.v1(List.of(series)), RemoteWriteRequests.V1_HEADERS);
  }

  private static Map<String, String> headers(String contentType, String encoding) {
    Map<String, String> h = new HashMap<>();
    if (contentType != null) {
      h.put("Content-Type", contentType);
    }
    if (encoding != null) {
      h.put("Content-Encoding", encoding);
    }
    return h;
  }

  /** A 1.0 request with one series whose label value is the given raw bytes (maybe not UTF-8). */
  private static byte[] rawValueRequest(byte[] value) {
    ByteArrayOutputStream label = new ByteArrayOutputStream();
    writeField(label, 1, "__name__".getBytes(StandardCharsets.UTF_8));
    writeField(label, 2, "err_bad_utf8".getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream label2 = new ByteArrayOutputStream();
    writeField(label2, 1, "v".getBytes(StandardCharsets.UTF_8));
    writeField(label2, 2, value);
    ByteArrayOutputStream sample = new ByteArrayOutputStream();
    sample.write(0x09);
    long bits = Double.doubleToRawLongBits(1.0);
    for (int i = 0; i < 8; i++) {
      sample.write((int) (bits >>> (8 * i)));
    }
    sample.write(0x10);
    writeVarint(sample, t0);
    ByteArrayOutputStream ts = new ByteArrayOutputStream();
    writeField(ts, 1, label.toByteArray());
    writeField(ts, 1, label2.toByteArray());
    writeField(ts, 2, sample.toByteArray());
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    writeField(req, 1, ts.toByteArray());
    return RemoteWriteRequests.snappy(req.toByteArray());
  }

  private static void writeField(ByteArrayOutputStream out, int field, byte[] bytes) {
    out.write(field << 3 | 2);
    writeVarint(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** The reason of a 400 answer, in the words both servers use. */
  private static String meaning(String body) {
    for (String reason : List.of("out of order sample", "duplicate sample for timestamp", "out of bounds", "snappy")) {
      if (body.contains(reason)) {
        return reason;
      }
    }
    return body.contains("unexpected EOF") || body.contains("proto unmarshal") ? "malformed protobuf" : body;
  }

  @Test
  void badAndBorderlineRequestsAreAnsweredAndKeptAsPrometheusDoes() throws Exception {
    sendV1("seed", new Series(List.of("__name__", "err_seed", "case", "base"), new long[] {t0 - 60_000, t0}, new double[] {1, 2}));
    send("garbage body", "this is not snappy".getBytes(StandardCharsets.UTF_8), RemoteWriteRequests.V1_HEADERS);
    send("snappy of a broken protobuf", RemoteWriteRequests.snappy(new byte[] {(byte) 0x0a, (byte) 0xff, 0x01, 0x02}),
        RemoteWriteRequests.V1_HEADERS);
    send("empty body", new byte[0], RemoteWriteRequests.V1_HEADERS);
    send("empty request", RemoteWriteRequests.snappy(new byte[0]), RemoteWriteRequests.V1_HEADERS);
    sendV1("invalid metric name", series(t0, 1, "__name__", "1bad", "case", "invalid-name"), valid("invalid-name"));
    sendV1("invalid label name", series(t0, 1, "__name__", "err_bad_label", "bad-label", "x"), valid("invalid-label"));
    sendV1("missing metric name", series(t0, 1, "job", "x", "case", "missing-name"), valid("missing-name"));
    sendV1("duplicate label names", series(t0, 1, "__name__", "err_dup_names", "a", "1", "a", "2"), valid("dup-names"));
    sendV1("empty label name", series(t0, 1, "__name__", "err_empty_name", "", "x"), valid("empty-name"));
    sendV1("only empty values", series(t0, 1, "__name__", "err_only_empty", "a", "", "b", ""), valid("only-empty"));
    sendV1("empty metric name", series(t0, 1, "__name__", "", "job", "x"), valid("empty-metric-name"));
    send("invalid UTF-8 label value", rawValueRequest(new byte[] {'a', (byte) 0xff, 'b'}), RemoteWriteRequests.V1_HEADERS);
    sendV1("out of order against stored", series(t0 - 120_000, 5, "__name__", "err_seed", "case", "base"), valid("ooo"));
    sendV1("duplicate timestamp, other value", series(t0, 7, "__name__", "err_seed", "case", "base"), valid("dup-ts"));
    sendV1("same sample again", series(t0, 2, "__name__", "err_seed", "case", "base"), valid("same-sample"));
    sendV1("too old", series(t0 - 3 * 3_600_000L, 1, "__name__", "err_too_old"), valid("too-old"));
    sendV1("timestamp zero", series(0, 1, "__name__", "err_ts_zero"), valid("ts-zero"));
    sendV1("out of order within the request",
        new Series(List.of("__name__", "err_ooo_in_request"), new long[] {t0, t0 - 30_000}, new double[] {1, 2}), valid("ooo-in-request"));
    sendV1("stale marker", new Series(List.of("__name__", "err_stale"), new long[] {t0 - 30_000, t0},
        new double[] {1, RemoteWriteRequests.STALE_NAN}));
    send("2.0 body with the 2.0 content type", RemoteWriteRequests.v2(List.of(series(t0, 1, "__name__", "err_v2_body"))),
        RemoteWriteRequests.V2_HEADERS);
    send("no content type", RemoteWriteRequests.v1(List.of(series(t0, 1, "__name__", "err_no_content_type"))),
        headers(null, "snappy"));
    send("JSON content type", RemoteWriteRequests.v1(List.of(series(t0, 1, "__name__", "err_json_type"))),
        headers("application/json", "snappy"));
    send("gzip content encoding", RemoteWriteRequests.v1(List.of(series(t0, 1, "__name__", "err_gzip"))),
        headers("application/x-protobuf", "gzip"));
    sendV1("slightly in the future", series(t0 + 5 * 60_000L, 1, "__name__", "err_future_5m"));
    sendV1("older than an hour before the newest", series(t0 - 58 * 60_000L, 1, "__name__", "err_old_after_future"));
    sendV1("far in the future", series(t0 + 20 * 60_000L, 1, "__name__", "err_future_20m"));

    cases.forEach(System.out::println);
    long end = t0 / 1000 + 3600;
    String selector = "{__name__=~\"err_.+\"}";
    StoredData p = StoredData.read(prom, selector, end - 4 * 3600, end, StoredData.Samples.EXACT);
    StoredData k = StoredData.read(kil, selector, end - 4 * 3600, end, StoredData.Samples.EXACT);
    List<String> diffs = p.differences(k);
    diffs.forEach(System.out::println);
    List<String> all = new ArrayList<>(cases.stream().filter(c -> c.prometheus() != c.kiln()).map(Case::toString).toList());
    all.addAll(diffs);
    assertEquals(List.of(), KnownDifferences.load("remote-write-errors").unexplained(all),
        "differences from Prometheus 2.42 that are not documented deliberate 3.x behaviours");
    for (Case c : cases) {
      if (c.prometheus() == 400 && c.kiln() == 400) {
        assertEquals(meaning(c.prometheusBody()), meaning(c.kilnBody()), "same reason for " + c);
      }
    }
  }
}
