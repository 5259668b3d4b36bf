package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic, node_exporter-like dataset. Per host about 250 series, modelled on a lightly
 * loaded 8-CPU server:
 *
 * <ul>
 *   <li>counters: CPU seconds in 1/100 s steps (idle moves every scrape, user/system most scrapes,
 *       iowait/irq/nice/softirq/steal rarely), network and disk byte/packet/operation counters
 *       with random integer increments (busy devices every scrape, idle ones rarely), vmstat
 *       counters, error/drop counters that almost never move;
 *   <li>gauges: memory and filesystem bytes random-walking in page-sized steps, load averages
 *       in 1/100 steps;
 *   <li>constants: info-like metrics, sizes, MTUs, collector success flags.
 * </ul>
 *
 * Scrapes are every 15 s. Timestamps follow Prometheus: scrape jitter within its 2 ms timestamp
 * tolerance is aligned away (so {@code dod = 0}); {@code jitteredFraction} of scrapes are 3-10 ms
 * off. Deterministic for a seed.
 */
public final class NodeExporterDataset {
  private NodeExporterDataset() {}

  /**
   * One series.
   *
   * @param changeProbability chance that the value moves at a scrape
   */
  public record SeriesSpec(Labels labels, Kind kind, double start, double step, double changeProbability) {}

  /** Value behaviour. */
  public enum Kind {
    CONSTANT,
    INT_COUNTER,
    CENTI_COUNTER,
    INT_GAUGE,
    CENTI_GAUGE
  }

  /** The series of {@code hosts} hosts. */
  public static List<SeriesSpec> series(int hosts, long seed) {
    Random r = new Random(seed);
    List<SeriesSpec> out = new ArrayList<>();
    String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
    double[] modeStep = {14.6, 0.02, 0.01, 0.01, 0.03, 0.01, 0.15, 0.3};
    double[] modeP = {1, 0.2, 0.05, 0.02, 0.3, 0.02, 0.9, 0.95};
    String[] devices = {"eth0", "lo", "docker0", "veth1a2b"};
    double[] devP = {1, 0.4, 0.05, 0.05};
    String[] disks = {"sda", "sdb", "nvme0n1"};
    double[] diskP = {0.9, 0.1, 0.6};
    for (int h = 0; h < hosts; h++) {
      String instance = "host-" + h + ":9100";
      for (int cpu = 0; cpu < 8; cpu++) {
        for (int m = 0; m < modes.length; m++) {
          out.add(new SeriesSpec(
              l("node_cpu_seconds_total", instance, "cpu", "" + cpu, "mode", modes[m]),
              Kind.CENTI_COUNTER, r.nextInt(100_000_000) / 100.0, modeStep[m], modeP[m]));
        }
      }
      for (int d = 0; d < devices.length; d++) {
        for (String m : new String[] {"receive_bytes", "transmit_bytes", "receive_packets", "transmit_packets"}) {
          out.add(new SeriesSpec(l("node_network_" + m + "_total", instance, "device", devices[d]),
              Kind.INT_COUNTER, r.nextInt(1 << 30), m.contains("bytes") ? 50_000 : 40, devP[d]));
        }
        for (String m : new String[] {"receive_errs", "transmit_errs", "receive_drop", "transmit_drop"}) {
          out.add(new SeriesSpec(l("node_network_" + m + "_total", instance, "device", devices[d]),
              Kind.INT_COUNTER, r.nextInt(3), 1, 0.002));
        }
        out.add(new SeriesSpec(l("node_network_mtu_bytes", instance, "device", devices[d]), Kind.CONSTANT, 1500, 0, 0));
        out.add(new SeriesSpec(l("node_network_up", instance, "device", devices[d]), Kind.CONSTANT, 1, 0, 0));
      }
      for (int d = 0; d < disks.length; d++) {
        for (String m : new String[] {"read_bytes", "written_bytes", "reads_completed", "writes_completed"}) {
          out.add(new SeriesSpec(l("node_disk_" + m + "_total", instance, "device", disks[d]),
              Kind.INT_COUNTER, r.nextInt(1 << 30), m.contains("bytes") ? 4096 * 30 : 5, diskP[d]));
        }
        out.add(new SeriesSpec(l("node_disk_io_time_seconds_total", instance, "device", disks[d]),
            Kind.CENTI_COUNTER, r.nextInt(10_000_000) / 100.0, 0.2, diskP[d]));
      }
      String[] mem = {"MemFree", "Cached", "Buffers", "Active", "Inactive", "Dirty", "Slab", "AnonPages"};
      double[] memP = {1, 0.7, 0.3, 0.8, 0.6, 0.5, 0.3, 0.8};
      for (int m = 0; m < mem.length; m++) {
        out.add(new SeriesSpec(l("node_memory_" + mem[m] + "_bytes", instance), Kind.INT_GAUGE, (1L << 32) + 4096L * r.nextInt(100_000), 4096 * 64, memP[m]));
      }
      for (String m : new String[] {"MemTotal", "SwapTotal", "HugePages_Total", "Hugepagesize"}) {
        out.add(new SeriesSpec(l("node_memory_" + m + "_bytes", instance), Kind.CONSTANT, 1L << 34, 0, 0));
      }
      String[] fss = {"/", "/boot", "/var", "/home"};
      double[] fsP = {0.3, 0, 0.6, 0.1};
      for (int f = 0; f < fss.length; f++) {
        out.add(new SeriesSpec(l("node_filesystem_size_bytes", instance, "mountpoint", fss[f]), Kind.CONSTANT, 1L << 36, 0, 0));
        out.add(new SeriesSpec(l("node_filesystem_avail_bytes", instance, "mountpoint", fss[f]), Kind.INT_GAUGE, (1L << 35) + 4096L * r.nextInt(1 << 20), 4096 * 10, fsP[f]));
        out.add(new SeriesSpec(l("node_filesystem_files_free", instance, "mountpoint", fss[f]), Kind.INT_GAUGE, 1 << 20, 3, fsP[f]));
        out.add(new SeriesSpec(l("node_filesystem_readonly", instance, "mountpoint", fss[f]), Kind.CONSTANT, 0, 0, 0));
      }
      for (String m : new String[] {"node_load1", "node_load5", "node_load15"}) {
        out.add(new SeriesSpec(l(m, instance), Kind.CENTI_GAUGE, 1.5, 0.05, m.equals("node_load1") ? 0.9 : 0.6));
      }
      for (int i = 0; i < 40; i++) {
        out.add(new SeriesSpec(l("node_scrape_collector_success", instance, "collector", "c" + i), Kind.CONSTANT, 1, 0, 0));
      }
      for (int i = 0; i < 30; i++) {
        out.add(new SeriesSpec(l("node_vmstat_counter_" + i, instance), Kind.INT_COUNTER, r.nextInt(1 << 20), 20, i % 3 == 0 ? 0.9 : 0.1));
      }
    }
    return out;
  }

  private static Labels l(String name, String instance, String... extra) {
    Labels.Builder b = Labels.builder().set("__name__", name).set("instance", instance).set("job", "node");
    for (int i = 0; i < extra.length; i += 2) {
      b.set(extra[i], extra[i + 1]);
    }
    return b.build();
  }

  /** Generates successive samples of one series. Single-thread. */
  public static final class SampleStream {
    private final SeriesSpec spec;
    private final Random r;
    private final double jitteredFraction;
    private long t;
    private double v;

    public SampleStream(SeriesSpec spec, long seed, long startMillis) {
      this(spec, seed, startMillis, 0.05);
    }

    public SampleStream(SeriesSpec spec, long seed, long startMillis, double jitteredFraction) {
      this.spec = spec;
      this.r = new Random(seed);
      this.t = startMillis;
      this.v = spec.start();
      this.jitteredFraction = jitteredFraction;
    }

    /** Timestamp of the next sample; call {@link #value()} after it. */
    public long nextTimestamp() {
      t += 15_000;
      if (r.nextDouble() < jitteredFraction) {
        int off = 3 + r.nextInt(8);
        return t + (r.nextBoolean() ? off : -off);
      }
      return t;
    }

    public double value() {
      if (spec.kind() == Kind.CONSTANT || r.nextDouble() >= spec.changeProbability()) {
        return v;
      }
      double step = spec.step();
      switch (spec.kind()) {
        case INT_COUNTER:
          v += 1 + Math.floor(r.nextDouble() * 2 * step);
          break;
        case CENTI_COUNTER:
          v = Math.round((v + 0.01 + r.nextDouble() * 2 * step) * 100) / 100.0;
          break;
        case INT_GAUGE:
          v = Math.max(0, v + 4096 * Math.round(r.nextGaussian() * step / 4096));
          break;
        default:
          v = Math.max(0, Math.round((v + r.nextGaussian() * step) * 100) / 100.0);
          break;
      }
      return v;
    }
  }
}
