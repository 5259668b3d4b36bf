package dev.kiln.server.differential;

import dev.kiln.server.differential.RemoteWriteRequests.Series;
import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic Kubernetes-cluster dataset for the dashboard queries: node_exporter CPU,
 * memory, filesystem and network series for three nodes, kube-state-metrics pod phases and node
 * conditions, cAdvisor container CPU (with the empty {@code container}/{@code image} of pod
 * cgroups and {@code POD} pause containers) and an application latency histogram, every 15 s.
 * Counters grow by seeded random steps and some reset; gauges wander.
 */
final class DashboardDataset {
  /** One series with its label pairs and a generator of its values. */
  private record Def(List<String> labels, boolean counter, double base, double step, boolean resets) {}

  private final List<Def> defs = new ArrayList<>();

  DashboardDataset() {
    for (int n = 0; n < 3; n++) {
      String instance = "node-" + n + ":9100";
      for (int cpu = 0; cpu < 2; cpu++) {
        for (String mode : List.of("idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice")) {
          double share = mode.equals("idle") ? 0.7 : 0.04;
          add(counter(share * 15, n == 2 && mode.equals("user")), "__name__", "node_cpu_seconds_total", "cpu", Integer.toString(cpu),
              "instance", instance, "job", "node-exporter", "mode", mode);
        }
      }
      add(gauge(8e9, 0), "__name__", "node_memory_MemTotal_bytes", "instance", instance, "job", "node-exporter");
      add(gauge(3e9 + n * 1e9, 5e7), "__name__", "node_memory_MemAvailable_bytes", "instance", instance, "job", "node-exporter");
      for (String[] fs : new String[][] {{"/", "ext4", "/dev/sda1"}, {"/run", "tmpfs", "tmpfs"}, {"/var/lib/docker/overlay2/abc", "overlay", "overlay"},
          {"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/12/fs", "overlay", "overlay"}, {"/boot", "vfat", "/dev/sda15"}}) {
        add(gauge(1e11, 0), "__name__", "node_filesystem_size_bytes", "device", fs[2], "fstype", fs[1], "instance", instance, "job",
            "node-exporter", "mountpoint", fs[0]);
        add(gauge(4e10 + n * 1e9, 1e7), "__name__", "node_filesystem_avail_bytes", "device", fs[2], "fstype", fs[1], "instance", instance,
            "job", "node-exporter", "mountpoint", fs[0]);
      }
      for (String dev : List.of("eth0", "lo", "cni0", "veth1a2b")) {
        add(counter(1e5 * 15, false), "__name__", "node_network_receive_bytes_total", "device", dev, "instance", instance, "job",
            "node-exporter");
      }
      add(gauge(1, 0), "__name__", "kube_node_status_condition", "condition", "Ready", "job", "kube-state-metrics", "node", "node-" + n,
          "status", "true");
      add(gauge(0, 0), "__name__", "kube_node_status_condition", "condition", "Ready", "job", "kube-state-metrics", "node", "node-" + n,
          "status", "false");
    }
    String[] namespaces = {"cpu-burn", "kube-system", "monitoring"};
    for (String ns : namespaces) {
      for (int p = 0; p < 4; p++) {
        String pod = (ns.equals("cpu-burn") ? "nginx-7c5ddbdf54-" : "app-5f9c8d7b6-") + p;
        for (String phase : List.of("Pending", "Running", "Succeeded", "Failed", "Unknown")) {
          add(gauge(phase.equals("Running") ? 1 : 0, 0), "__name__", "kube_pod_status_phase", "job", "kube-state-metrics", "namespace", ns,
              "phase", phase, "pod", pod);
        }
        String cg = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + ns.hashCode() + "_" + p + ".slice";
        add(counter(ns.equals("cpu-burn") ? 3 : 0.2, false), "__name__", "container_cpu_usage_seconds_total", "container", "", "cpu", "total",
            "id", cg, "image", "", "job", "kubelet", "namespace", ns, "pod", pod);
        add(counter(0.001, false), "__name__", "container_cpu_usage_seconds_total", "container", "POD", "cpu", "total", "id", cg + "/cri-pause",
            "image", "registry.k8s.io/pause:3.9", "job", "kubelet", "namespace", ns, "pod", pod);
        add(counter(ns.equals("cpu-burn") ? 2.9 : 0.19, p == 3), "__name__", "container_cpu_usage_seconds_total", "container", "main", "cpu",
            "total", "id", cg + "/cri-main", "image", "docker.io/library/nginx:1.25", "job", "kubelet", "namespace", ns, "pod", pod);
      }
      double[] les = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
      for (int i = 0; i <= les.length; i++) {
        String le = i == les.length ? "+Inf" : GoFloats.format(les[i], Notation.V);
        double rate = 50 * (i == les.length ? 1 : Math.min(1, les[i] * 4));
        add(counter(rate, false), "__name__", "http_request_duration_seconds_bucket", "job", "app", "le", le, "namespace", ns);
      }
    }
    for (String job : List.of("node-exporter", "kubelet", "app")) {
      add(counter(1.5, false), "__name__", "process_cpu_seconds_total", "instance", job + ":1", "job", job);
    }
  }

  private static Def counter(double step, boolean resets) {
    return new Def(null, true, 0, step, resets);
  }

  private static Def gauge(double base, double step) {
    return new Def(null, false, base, step, false);
  }

  private void add(Def shape, String... labels) {
    defs.add(new Def(List.of(labels), shape.counter(), shape.base(), shape.step(), shape.resets()));
  }

  int seriesCount() {
    return defs.size();
  }

  /** All series' samples at {@code 15 s} steps over [start, end), one series entry per definition. */
  List<Series> samples(long startMillis, long endMillis) {
    int n = (int) ((endMillis - startMillis) / 15_000);
    List<Series> out = new ArrayList<>();
    for (int d = 0; d < defs.size(); d++) {
      Def def = defs.get(d);
      SplittableRandom r = new SplittableRandom(1234 + d);
      long[] ts = new long[n];
      double[] vs = new double[n];
      double v = def.base();
      for (int i = 0; i < n; i++) {
        // Scrapes land a few milliseconds after the grid, as real ones do, and never exactly on
        // it: no sample sits on a query's window boundary, where Prometheus 2.x (closed windows)
        // and 3.x (left-open windows, which Kiln follows) differ by design.
        ts[i] = startMillis + i * 15_000L + 1 + r.nextInt(39);
        if (def.counter()) {
          if (i == 0) {
            // Counters of long-running processes: far from zero, so rate's extrapolation towards
            // zero (ordered differently in 2.x and 3.x) never applies.
            v = def.step() * 100_000;
          }
          v += def.step() * (0.5 + r.nextDouble());
          if (def.resets() && i % 500 == 499) {
            v = def.step() * 50_000 * (1 + r.nextDouble());
          }
          v = Math.round(v * 1000) / 1000.0;
        } else if (def.step() > 0) {
          v = def.base() + def.step() * (r.nextDouble() * 20 - 10);
          v = Math.round(v);
        }
        vs[i] = v;
      }
      out.add(new Series(def.labels(), ts, vs));
    }
    return out;
  }
}
