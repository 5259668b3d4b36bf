package dev.kiln.server.remotewrite;

import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.server.remotewrite.proto.v2.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Remote write request bodies (uncompressed protobuf) of a mixed node_exporter and cAdvisor
 * fleet, as Prometheus sends them: one sample per series, node_exporter series with short label
 * values, cAdvisor series with long {@code id} paths and the empty {@code container=""},
 * {@code image=""} values, and a few non-ASCII (UTF-8) values. Deterministic for a seed.
 */
public final class ReceiveWorkload {
  private final List<String[]> series = new ArrayList<>();

  /** {@code n} series, about half node_exporter and half cAdvisor. */
  public ReceiveWorkload(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] modes = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
    String[] zones = {"eu-west-1a", "Zürich-2", "us-east-1b", "東京-1"};
    for (int i = 0; i < n; i++) {
      String zone = zones[i % zones.length];
      if (i % 2 == 0) {
        series.add(new String[] {"__name__", "node_cpu_seconds_total", "cpu", Integer.toString(i % 64),
            "instance", "node-" + (i / 512) + ".example.internal:9100", "job", "node-exporter", "mode", modes[(i / 64) % 8],
            "zone", zone});
      } else {
        String pod = "checkout-" + Long.toHexString(r.nextLong() & 0xffffffffL) + "-" + (i % 97);
        boolean pause = i % 5 == 1;
        series.add(new String[] {"__name__", "container_cpu_usage_seconds_total", "container", pause ? "" : "checkout",
            "cpu", "total", "id", "/kubepods/burstable/pod" + Long.toHexString(r.nextLong()) + "/" + Long.toHexString(r.nextLong()),
            "image", pause ? "" : "registry.example.com/shop/checkout:1.4." + (i % 13),
            "instance", "node-" + (i / 512) + ".example.internal:10250", "job", "kubelet", "name", pause ? "" : "k8s_checkout_" + pod,
            "namespace", "shop", "pod", pod, "zone", zone});
      }
    }
  }

  public int size() {
    return series.size();
  }

  /** A 1.0 {@code WriteRequest} with one sample per series at {@code t}. */
  public byte[] v1(long t) {
    WriteRequest.Builder wr = WriteRequest.newBuilder();
    for (int i = 0; i < series.size(); i++) {
      String[] l = series.get(i);
      TimeSeries.Builder ts = TimeSeries.newBuilder();
      for (int k = 0; k < l.length; k += 2) {
        ts.addLabels(Label.newBuilder().setName(l[k]).setValue(l[k + 1]));
      }
      ts.addSamples(Sample.newBuilder().setTimestamp(t).setValue(i * 1.25 + t % 1000));
      wr.addTimeseries(ts);
    }
    return wr.build().toByteArray();
  }

  /** A 2.0 {@code Request} with one sample per series at {@code t}, symbols in first-use order. */
  public byte[] v2(long t) {
    Map<String, Integer> symbols = new LinkedHashMap<>();
    symbols.put("", 0);
    Request.Builder req = Request.newBuilder();
    for (int i = 0; i < series.size(); i++) {
      String[] l = series.get(i);
      dev.kiln.server.remotewrite.proto.v2.TimeSeries.Builder ts = dev.kiln.server.remotewrite.proto.v2.TimeSeries.newBuilder();
      for (String s : l) {
        ts.addLabelsRefs(symbols.computeIfAbsent(s, x -> symbols.size()));
      }
      ts.addSamples(dev.kiln.server.remotewrite.proto.v2.Sample.newBuilder().setTimestamp(t).setValue(i * 1.25 + t % 1000));
      ts.setMetadata(dev.kiln.server.remotewrite.proto.v2.Metadata.newBuilder()
          .setType(dev.kiln.server.remotewrite.proto.v2.Metadata.MetricType.METRIC_TYPE_COUNTER));
      req.addTimeseries(ts);
    }
    req.addAllSymbols(symbols.keySet());
    return req.build().toByteArray();
  }
}
