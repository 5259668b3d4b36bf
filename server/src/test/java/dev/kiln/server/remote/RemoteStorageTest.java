package dev.kiln.server.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.config.ConfigLoader;
import dev.kiln.config.PrometheusConfig;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Metadata;
import dev.kiln.tsdb.storage.MetricType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** The remote write sender against a receiver on loopback that records what arrives. */
class RemoteStorageTest {
  private HttpServer receiver;
  private final List<WriteRequest> received = Collections.synchronizedList(new ArrayList<>());
  private final List<Map<String, String>> headers = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failureStatus = 500;
  /** Counted down each time the receiver answers with {@code failureStatus}. */
  private final CountDownLatch failuresAnswered = new CountDownLatch(1);
  /** Samples the receiver accepted, duplicates included. */
  private final AtomicInteger samplesAccepted = new AtomicInteger();
  private String url;
  private final Head head = Head.inMemory();
  private final RemoteStorage remote = new RemoteStorage("Kiln/test");

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/api/v1/write", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, String> h = new TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), v.get(0)));
      int status;
      if (failuresLeft.getAndDecrement() > 0) {
        status = failureStatus;
        failuresAnswered.countDown();
      } else {
        WriteRequest w = WriteRequest.parseFrom(Snappy.uncompress(body));
        w.getTimeseriesList().forEach(ts -> samplesAccepted.addAndGet(ts.getSamplesCount()));
        received.add(w);
        headers.add(h);
        status = 204;
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    receiver.start();
    url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/v1/write";
    head.addCommitListener(remote);
  }

  @AfterEach
  void stop() {
    remote.close();
    receiver.stop(0);
  }

  private void configure(String extra) {
    PrometheusConfig c = ConfigLoader.parse("test", """
        global: {external_labels: {cluster: eu1, job: ignored}}
        remote_write:
          - url: %s
            basic_auth: {username: kiln, password: secret}
            headers: {X-Scope-OrgID: team-a}
            queue_config: {batch_send_deadline: 100ms, max_samples_per_send: 50, min_backoff: 10ms, max_backoff: 50ms}
        """.formatted(url) + extra, Path.of("."));
    remote.apply(c.remoteWrite(), c.global().externalLabels());
  }

  private void commit(int series, long t) {
    Appender a = head.appender();
    for (int i = 0; i < series; i++) {
      a.append(0, Labels.of("__name__", "requests_total", "job", "api", "instance", "i" + i), t, i);
    }
    a.commit();
  }

  /** Samples received, by series text and timestamp. */
  private Map<String, Double> receivedSamples() {
    Map<String, Double> out = new TreeMap<>();
    synchronized (received) {
      for (WriteRequest r : received) {
        for (TimeSeries ts : r.getTimeseriesList()) {
          StringBuilder key = new StringBuilder();
          for (Label l : ts.getLabelsList()) {
            key.append(l.getName()).append('=').append(l.getValue()).append(',');
          }
          ts.getSamplesList().forEach(s -> out.merge(key + "@" + s.getTimestamp(), s.getValue(), (x, y) -> Double.NaN));
        }
      }
    }
    return out;
  }

  private void awaitSamples(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (receivedSamples().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(n, receivedSamples().size(), "samples received");
  }

  /** A sender metric's value (summed over its remotes). */
  private long metric(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} ([0-9.e+]+)$").matcher(remote.metricsText());
    long sum = 0;
    while (m.find()) {
      sum += (long) Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /**
   * Waits until the sender has sent {@code n} samples and holds none: everything committed so far
   * that passed relabeling has been answered, so nothing more can arrive.
   */
  private void awaitSentAndDrained(long n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while ((metric("prometheus_remote_storage_samples_total") < n || metric("prometheus_remote_storage_samples_pending") > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(n, metric("prometheus_remote_storage_samples_total"), remote.metricsText());
    assertEquals(0, metric("prometheus_remote_storage_samples_pending"), remote.metricsText());
  }

  @Test
  void sendsNativeHistogramsAsTheyWereCommitted() throws Exception {
    sendHistograms("    send_native_histograms: true\n");
  }

  @Test
  void sendsNoNativeHistogramsUnlessAsked() throws Exception {
    sendHistograms("");
  }

  private void sendHistograms(String extra) throws Exception {
    configure(extra);
    java.util.List<String> want = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Appender a = head.appender();
      dev.kiln.tsdb.histogram.Histogram h = new dev.kiln.tsdb.histogram.Histogram();
      h.schema = 1;
      h.count = 2L * i;
      h.sum = i;
      h.positiveSpans = new dev.kiln.tsdb.histogram.Span[] {new dev.kiln.tsdb.histogram.Span(0, 2)};
      h.positiveBuckets = new long[] {i, 0};
      a.appendHistogram(0, Labels.of("__name__", "ints", "job", "api"), 1000L * i, h, null,
          dev.kiln.tsdb.storage.AppendOptions.NONE);
      want.add("ints@" + 1000L * i + " int " + (2L * i) + " [" + i + ", " + i + "]");
      dev.kiln.tsdb.histogram.FloatHistogram fh = new dev.kiln.tsdb.histogram.FloatHistogram();
      fh.count = i + 0.5;
      fh.zeroCount = 0.5;
      fh.positiveSpans = new dev.kiln.tsdb.histogram.Span[] {new dev.kiln.tsdb.histogram.Span(1, 1)};
      fh.positiveBuckets = new double[] {i};
      a.appendHistogram(0, Labels.of("__name__", "floats", "job", "api"), 1000L * i, null, fh,
          dev.kiln.tsdb.storage.AppendOptions.NONE);
      want.add("floats@" + 1000L * i + " float " + (i + 0.5) + " [" + (double) i + "]");
      a.append(0, Labels.of("__name__", "plain", "job", "api"), 1000L * i, i);
      a.commit();
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    java.util.List<String> got = receivedHistograms();
    while (!extra.isEmpty() && got.size() < want.size() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      got = receivedHistograms();
    }
    java.util.Collections.sort(want);
    if (extra.isEmpty()) {
      awaitSamples(30);
      assertEquals(List.of(), receivedHistograms(), "send_native_histograms is off by default");
      return;
    }
    assertEquals(want, got);
    assertEquals(30, receivedSamples().size(), "the float series beside them");
    awaitSentAndDrained(30);
    assertEquals(60, metric("prometheus_remote_storage_histograms_total"), "histograms counted apart from samples");
    assertEquals(0, metric("prometheus_remote_storage_histograms_pending"));
  }

  @Test
  void retriedAndFailedHistogramsAreCountedApartFromSamples() throws Exception {
    configure("    send_native_histograms: true\n");
    failuresLeft.set(2);
    Appender a = head.appender();
    for (int i = 0; i < 4; i++) {
      dev.kiln.tsdb.histogram.Histogram h = new dev.kiln.tsdb.histogram.Histogram();
      h.count = i;
      h.zeroCount = i;
      a.appendHistogram(0, Labels.of("__name__", "h", "i", "" + i), 1000, h, null, dev.kiln.tsdb.storage.AppendOptions.NONE);
    }
    a.append(0, Labels.of("__name__", "f"), 1000, 1);
    a.commit();
    awaitSentAndDrained(1);
    assertEquals(4, metric("prometheus_remote_storage_histograms_total"), remote.metricsText());
    assertEquals(8, metric("prometheus_remote_storage_histograms_retried_total"), remote.metricsText());
    assertEquals(2, metric("prometheus_remote_storage_samples_retried_total"), remote.metricsText());
  }

  @Test
  void metadataTravelsInItsOwnRequestsOverRemoteWrite10() throws Exception {
    remote.setMetadataSource(() -> List.of(
        new FamilyMetadata("requests", new Metadata(MetricType.COUNTER, "Requests served.", "")),
        new FamilyMetadata("latency_seconds", new Metadata(MetricType.HISTOGRAM, "Latency.", "seconds")),
        new FamilyMetadata("requests", new Metadata(MetricType.COUNTER, "Requests served.", "")),
        new FamilyMetadata("up_since", new Metadata(MetricType.GAUGE, "", ""))));
    configure("    metadata_config: {send_interval: 50ms, max_samples_per_send: 2}\n");
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (metric("prometheus_remote_storage_metadata_total") < 6 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<WriteRequest> meta = new ArrayList<>();
    synchronized (received) {
      received.stream().filter(r -> r.getMetadataCount() > 0).forEach(meta::add);
    }
    assertTrue(meta.size() >= 2, "at least one interval's two requests: " + meta.size());
    for (WriteRequest r : meta) {
      assertEquals(0, r.getTimeseriesCount(), "metadata requests carry no series");
      assertTrue(r.getMetadataCount() <= 2, "max_samples_per_send entries at most");
    }
    assertEquals(List.of("COUNTER requests Requests served. ", "HISTOGRAM latency_seconds Latency. seconds"),
        meta.get(0).getMetadataList().stream().map(m -> m.getType() + " " + m.getMetricFamilyName() + " " + m.getHelp()
            + " " + m.getUnit()).toList(), "distinct entries in the order first seen");
    assertEquals("GAUGE up_since", meta.get(1).getMetadata(0).getType() + " " + meta.get(1).getMetadata(0).getMetricFamilyName());
    assertTrue(metric("prometheus_remote_storage_metadata_bytes_total") > 0, remote.metricsText());
  }

  @Test
  void noMetadataIsSentWhenSendIsOff() throws Exception {
    remote.setMetadataSource(() -> List.of(new FamilyMetadata("requests", new Metadata(MetricType.COUNTER, "", ""))));
    configure("    metadata_config: {send: false, send_interval: 10ms}\n");
    commit(3, 1000);
    awaitSentAndDrained(3);
    synchronized (received) {
      assertTrue(received.stream().allMatch(r -> r.getMetadataCount() == 0));
    }
    assertEquals(0, metric("prometheus_remote_storage_metadata_total"));
  }

  /** Histograms received, as {@code name@t kind count [buckets]}, sorted. */
  private java.util.List<String> receivedHistograms() {
    java.util.List<String> out = new ArrayList<>();
    synchronized (received) {
      for (WriteRequest r : received) {
        for (TimeSeries ts : r.getTimeseriesList()) {
          String name = ts.getLabelsList().stream().filter(l -> l.getName().equals("__name__")).findFirst().orElseThrow().getValue();
          for (var h : ts.getHistogramsList()) {
            out.add(name + "@" + h.getTimestamp() + (h.hasCountInt()
                ? " int " + h.getCountInt() + " " + cumulative(h.getPositiveDeltasList())
                : " float " + h.getCountFloat() + " " + h.getPositiveCountsList()));
          }
        }
      }
    }
    java.util.Collections.sort(out);
    return out;
  }

  private static List<Long> cumulative(List<Long> deltas) {
    List<Long> out = new ArrayList<>();
    long v = 0;
    for (long d : deltas) {
      v += d;
      out.add(v);
    }
    return out;
  }

  @Test
  void sendsCommittedSamplesWithExternalLabelsAndHeaders() throws Exception {
    configure("");
    commit(120, 1000);
    commit(120, 2000);
    awaitSamples(240);
    Map<String, Double> got = receivedSamples();
    assertEquals(5.0, got.get("__name__=requests_total,cluster=eu1,instance=i5,job=api,@2000"),
        "external label added, the series' own job kept: " + got.keySet().iterator().next());
    Map<String, String> h = headers.get(0);
    assertEquals("snappy", h.get("content-encoding"));
    assertEquals("application/x-protobuf", h.get("content-type"));
    assertEquals("0.1.0", h.get("x-prometheus-remote-write-version"));
    assertEquals("Kiln/test", h.get("user-agent"));
    assertEquals("team-a", h.get("x-scope-orgid"));
    assertEquals("Basic a2lsbjpzZWNyZXQ=", h.get("authorization"));
    for (WriteRequest r : received) {
      assertTrue(r.getTimeseriesList().stream().mapToInt(TimeSeries::getSamplesCount).sum() <= 50);
    }
    assertTrue(remote.metricsText().contains("prometheus_remote_storage_samples_total{remote_name="));
  }

  @Test
  void recoverableErrorsAreRetriedUntilTheSamplesArrive() throws Exception {
    configure("");
    failuresLeft.set(3);
    commit(10, 1000);
    awaitSamples(10);
    assertTrue(remote.metricsText().matches("(?s).*prometheus_remote_storage_samples_retried_total\\{[^}]*\\} 30\\n.*"),
        remote.metricsText());
  }

  @Test
  void unrecoverableErrorsDropTheBatchAndSendingGoesOn() throws Exception {
    configure("");
    failureStatus = 400;
    failuresLeft.set(1);
    commit(10, 1000);
    // The first batch must be answered (and dropped) before the second is committed, or both go in one request.
    assertTrue(failuresAnswered.await(20, TimeUnit.SECONDS), "the receiver refused the first batch");
    commit(10, 2000);
    awaitSamples(10);
    assertTrue(remote.metricsText().matches("(?s).*prometheus_remote_storage_samples_failed_total\\{[^}]*\\} 10\\n.*"),
        remote.metricsText());
  }

  @Test
  void writeRelabelConfigsDropAndRewriteSeries() throws Exception {
    configure("    write_relabel_configs:\n"
        + "      - {source_labels: [instance], regex: 'i[0-4]', action: keep}\n"
        + "      - {target_label: instance, replacement: all}\n");
    commit(10, 1000);
    // i0..i4 are kept, all renamed to one series: five samples sent, the other five never queued.
    awaitSentAndDrained(5);
    assertEquals(5, samplesAccepted.get());
    assertEquals(5, metric("prometheus_remote_storage_samples_dropped_total"), "dropped by relabeling, as Prometheus counts");
    Map<String, Double> got = receivedSamples();
    assertEquals(1, got.size(), got.toString());
    assertTrue(got.containsKey("__name__=requests_total,cluster=eu1,instance=all,job=api,@1000"), got.toString());
  }
}
