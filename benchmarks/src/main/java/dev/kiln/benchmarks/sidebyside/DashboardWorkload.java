package dev.kiln.benchmarks.sidebyside;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The deterministic series set of the side-by-side dashboard benchmark: per host, the node_exporter,
 * kube-state-metrics, cAdvisor and application series that the queries of
 * {@code shared/workloads/dashboard-queries.md} read (125 series per host; CPU, network and
 * container counters, memory and filesystem gauges, pod phases, node conditions, request-duration
 * histogram buckets). Values come from one seeded generator per series, so every receiver gets the
 * same bytes. Each series' labels are pre-encoded as remote write 1.0 {@code Label} fields, sorted
 * by name; {@link #encodeSeries} appends one {@code TimeSeries} with one sample.
 *
 * <p>Not thread-safe: one instance per sending thread ({@link #next} advances the values).
 */
public final class DashboardWorkload {
  /** Series per host. */
  public static final int SERIES_PER_HOST = 125;

  private static final String[] MODES = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
  private static final String[][] MOUNTS = {
      {"/", "ext4"}, {"/boot", "ext4"}, {"/data", "xfs"}, {"/run", "tmpfs"},
      {"/var/lib/docker/overlay2/x1", "overlay"}, {"/snap/core/1", "squashfs"}};
  private static final String[] DEVICES = {"lo", "eth0", "eth1", "cni0"};
  private static final String[] PHASES = {"Pending", "Running", "Succeeded", "Failed", "Unknown"};
  private static final String[] LE = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
  private static final String[] NAMESPACES = {"cpu-burn", "default", "kube-system", "monitoring", "shop"};

  private final byte[][] labels;
  private final int[] kind;
  private final double[] value;
  private final SplittableRandom[] random;

  private static final int COUNTER = 0;
  private static final int GAUGE = 1;
  private static final int CONSTANT = 2;
  private static final int BUCKET = 3;

  /** The series of {@code hosts} hosts ({@code hosts × SERIES_PER_HOST} series). */
  public DashboardWorkload(int hosts) {
    List<String[]> sets = new ArrayList<>();
    List<Integer> kinds = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      String inst = "host-" + h + ":9100";
      for (int cpu = 0; cpu < 8; cpu++) {
        for (String m : MODES) {
          add(sets, kinds, COUNTER, "node_cpu_seconds_total", "cpu", Integer.toString(cpu), "instance", inst, "job", "node", "mode", m);
        }
      }
      add(sets, kinds, GAUGE, "node_memory_MemAvailable_bytes", "instance", inst, "job", "node");
      add(sets, kinds, CONSTANT, "node_memory_MemTotal_bytes", "instance", inst, "job", "node");
      for (String[] mnt : MOUNTS) {
        add(sets, kinds, GAUGE, "node_filesystem_avail_bytes", "device", "sd" + mnt[1], "fstype", mnt[1], "instance", inst, "job", "node", "mountpoint", mnt[0]);
        add(sets, kinds, CONSTANT, "node_filesystem_size_bytes", "device", "sd" + mnt[1], "fstype", mnt[1], "instance", inst, "job", "node", "mountpoint", mnt[0]);
      }
      for (String d : DEVICES) {
        add(sets, kinds, COUNTER, "node_network_receive_bytes_total", "device", d, "instance", inst, "job", "node");
      }
      String node = "node-" + h;
      for (String st : new String[] {"true", "false", "unknown"}) {
        add(sets, kinds, CONSTANT, "kube_node_status_condition", "condition", "Ready", "instance", "ksm:8080", "job", "kube-state-metrics", "node", node, "status", st);
      }
      for (int p = 0; p < 4; p++) {
        String ns = NAMESPACES[(h + p) % NAMESPACES.length];
        String pod = (p % 2 == 0 ? "nginx-" : "api-") + h + "-" + p;
        for (String ph : PHASES) {
          add(sets, kinds, CONSTANT, "kube_pod_status_phase", "instance", "ksm:8080", "job", "kube-state-metrics", "namespace", ns, "phase", ph, "pod", pod);
        }
        add(sets, kinds, COUNTER, "container_cpu_usage_seconds_total", "container", "app", "image", "registry/app:1", "instance", node, "job", "kubelet", "namespace", ns, "pod", pod);
        add(sets, kinds, COUNTER, "container_cpu_usage_seconds_total", "container", "POD", "image", "", "instance", node, "job", "kubelet", "namespace", ns, "pod", pod);
      }
      for (String le : LE) {
        add(sets, kinds, BUCKET, "http_request_duration_seconds_bucket", "instance", "app-" + h + ":8080", "job", "app", "le", le, "namespace", NAMESPACES[h % NAMESPACES.length]);
      }
    }
    int n = sets.size();
    labels = new byte[n][];
    kind = new int[n];
    value = new double[n];
    random = new SplittableRandom[n];
    for (int i = 0; i < n; i++) {
      labels[i] = encodeLabels(sets.get(i));
      kind[i] = kinds.get(i);
      random[i] = new SplittableRandom(0x5eed_0000L + i);
      value[i] = initial(sets.get(i), random[i]);
    }
  }

  /** Number of series. */
  public int size() {
    return labels.length;
  }

  /** Advances series {@code i} by one scrape and returns its new value. */
  public double next(int i) {
    SplittableRandom r = random[i];
    switch (kind[i]) {
      case COUNTER -> value[i] += r.nextInt(1000) / 100.0;
      case GAUGE -> value[i] += (r.nextInt(257) - 128) * 4096.0;
      case BUCKET -> value[i] += (i % 12 + 1) * (1 + r.nextInt(4));
      default -> { }
    }
    return value[i];
  }

  /** Appends a remote write 1.0 {@code TimeSeries} field (field 1 of WriteRequest) with one sample. */
  public void encodeSeries(ByteArrayOutputStream out, int i, long tMillis, double v) {
    byte[] l = labels[i];
    int sampleLen = 1 + 8 + 1 + varintSize(tMillis);
    int seriesLen = l.length + 1 + varintSize(sampleLen) + sampleLen;
    out.write(0x0a);
    varint(out, seriesLen);
    out.write(l, 0, l.length);
    out.write(0x12);
    varint(out, sampleLen);
    out.write(0x09);
    long bits = Double.doubleToRawLongBits(v);
    for (int b = 0; b < 8; b++) {
      out.write((int) (bits >>> (8 * b)));
    }
    out.write(0x10);
    varint(out, tMillis);
  }

  private static double initial(String[] set, SplittableRandom r) {
    String name = set[1];
    if (name.equals("kube_node_status_condition")) {
      return set[set.length - 1].equals("true") ? 1 : 0;
    }
    if (name.equals("kube_pod_status_phase")) {
      return set[9].equals("Running") ? 1 : 0;
    }
    if (name.endsWith("_bytes")) {
      return (1L << 34) + r.nextInt(1 << 20) * 4096.0;
    }
    return 0;
  }

  private static void add(List<String[]> sets, List<Integer> kinds, int k, String name, String... pairs) {
    String[] s = new String[pairs.length + 2];
    s[0] = "__name__";
    s[1] = name;
    System.arraycopy(pairs, 0, s, 2, pairs.length);
    sets.add(s);
    kinds.add(k);
  }

  private static byte[] encodeLabels(String[] pairs) {
    Integer[] order = new Integer[pairs.length / 2];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> pairs[2 * a].compareTo(pairs[2 * b]));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i : order) {
      byte[] name = pairs[2 * i].getBytes(StandardCharsets.UTF_8);
      byte[] val = pairs[2 * i + 1].getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream label = new ByteArrayOutputStream();
      label.write(0x0a);
      varint(label, name.length);
      label.write(name, 0, name.length);
      label.write(0x12);
      varint(label, val.length);
      label.write(val, 0, val.length);
      out.write(0x0a);
      varint(out, label.size());
      out.write(label.toByteArray(), 0, label.size());
    }
    return out.toByteArray();
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
