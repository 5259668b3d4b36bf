package dev.kiln.scraper.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Kiln's built-in host metrics: the node_exporter metrics that dashboards use, read from
 * {@code /proc} with node_exporter's names, labels, units and default exclusions (CPU, memory,
 * load, boot time, time, uname, filesystems, network devices, disks). Thread-safe; each call to
 * {@link #collect()} reads the system afresh.
 */
public final class HostCollector {
  private static final double USER_HZ = 100.0;
  private static final Pattern FS_MOUNT_EXCLUDE =
      Pattern.compile("^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)");
  private static final Pattern FS_TYPE_EXCLUDE = Pattern.compile(
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$");
  private static final Pattern DISK_EXCLUDE = Pattern.compile("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");

  private final Path proc;

  /** A collector reading the real {@code /proc}. */
  public HostCollector() {
    this(Path.of("/proc"));
  }

  /** A collector reading a {@code /proc}-like tree (tests). */
  public HostCollector(Path proc) {
    this.proc = proc;
  }

  /** The current host metrics as Prometheus text format 0.0.4. */
  public String collect() {
    MetricWriter w = new MetricWriter();
    Map<String, String> stat = statLines();
    cpu(w, stat);
    boot(w, stat);
    disks(w);
    filesystems(w);
    load(w);
    memory(w);
    network(w);
    w.family("node_time_seconds", "gauge", "System time in seconds since epoch (1970).")
        .sample(System.currentTimeMillis() / 1000.0);
    uname(w);
    return w.text();
  }

  private String read(String rel) {
    try {
      return Files.readString(proc.resolve(rel), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private Map<String, String> statLines() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : read("stat").split("\n")) {
      int sp = line.indexOf(' ');
      if (sp > 0) {
        m.put(line.substring(0, sp), line.substring(sp + 1).trim());
      }
    }
    return m;
  }

  private static final String[] CPU_MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

  private void cpu(MetricWriter w, Map<String, String> stat) {
    List<String[]> cpus = new ArrayList<>();
    for (Map.Entry<String, String> e : stat.entrySet()) {
      if (e.getKey().startsWith("cpu") && e.getKey().length() > 3) {
        cpus.add(new String[] {e.getKey().substring(3), e.getValue()});
      }
    }
    w.family("node_cpu_guest_seconds_total", "counter", "Seconds the CPUs spent in guests (VMs) for each mode.");
    for (String[] c : cpus) {
      String[] f = c[1].split("\\s+");
      if (f.length >= 10) {
        w.sample(Long.parseLong(f[9]) / USER_HZ, "cpu", c[0], "mode", "nice");
        w.sample(Long.parseLong(f[8]) / USER_HZ, "cpu", c[0], "mode", "user");
      }
    }
    w.family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
    for (String[] c : cpus) {
      String[] f = c[1].split("\\s+");
      String[] modes = CPU_MODES.clone();
      java.util.Arrays.sort(modes);
      for (String mode : modes) {
        int idx = java.util.Arrays.asList(CPU_MODES).indexOf(mode);
        if (idx < f.length) {
          w.sample(Long.parseLong(f[idx]) / USER_HZ, "cpu", c[0], "mode", mode);
        }
      }
    }
  }

  private void boot(MetricWriter w, Map<String, String> stat) {
    String btime = stat.get("btime");
    if (btime != null) {
      w.family("node_boot_time_seconds", "gauge", "Node boot time, in unixtime.").sample(Double.parseDouble(btime));
    }
  }

  private void load(MetricWriter w) {
    String[] f = read("loadavg").trim().split("\\s+");
    if (f.length >= 3) {
      w.family("node_load1", "gauge", "1m load average.").sample(Double.parseDouble(f[0]));
      w.family("node_load15", "gauge", "15m load average.").sample(Double.parseDouble(f[2]));
      w.family("node_load5", "gauge", "5m load average.").sample(Double.parseDouble(f[1]));
    }
  }

  private void memory(MetricWriter w) {
    Map<String, Double> fields = new java.util.TreeMap<>();
    for (String line : read("meminfo").split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length < 2 || !parts[0].endsWith(":")) {
        continue;
      }
      String key = parts[0].substring(0, parts[0].length() - 1).replaceAll("\\((.*)\\)", "_$1");
      double v;
      try {
        v = Double.parseDouble(parts[1]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (parts.length == 3 && parts[2].equals("kB")) {
        v *= 1024;
        key = key + "_bytes";
      }
      fields.put(key, v);
    }
    for (Map.Entry<String, Double> e : fields.entrySet()) {
      w.family("node_memory_" + e.getKey(), "gauge", "Memory information field " + e.getKey() + ".").sample(e.getValue());
    }
  }

  private static final String[] NET_RX = {"bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"};
  private static final String[] NET_TX = {"bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"};

  private void network(MetricWriter w) {
    Map<String, String[]> devices = new java.util.TreeMap<>();
    for (String line : read("net/dev").split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0 || line.contains("|")) {
        continue;
      }
      String dev = line.substring(0, colon).trim();
      if (dev.equals("lo")) {
        continue;
      }
      devices.put(dev, line.substring(colon + 1).trim().split("\\s+"));
    }
    List<String[]> families = new ArrayList<>();
    for (int i = 0; i < NET_RX.length; i++) {
      families.add(new String[] {"receive_" + NET_RX[i], Integer.toString(i)});
      families.add(new String[] {"transmit_" + NET_TX[i], Integer.toString(i + 8)});
    }
    families.sort((a, b) -> a[0].compareTo(b[0]));
    for (String[] fam : families) {
      w.family("node_network_" + fam[0] + "_total", "counter", "Network device statistic " + fam[0] + ".");
      int idx = Integer.parseInt(fam[1]);
      for (Map.Entry<String, String[]> d : devices.entrySet()) {
        if (idx < d.getValue().length) {
          w.sample(Double.parseDouble(d.getValue()[idx]), "device", d.getKey());
        }
      }
    }
  }

  private record DiskStat(String device, String[] f) {}

  private void disks(MetricWriter w) {
    List<DiskStat> disks = new ArrayList<>();
    for (String line : read("diskstats").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 14 || DISK_EXCLUDE.matcher(f[2]).matches()) {
        continue;
      }
      disks.add(new DiskStat(f[2], f));
    }
    disks.sort((a, b) -> a.device.compareTo(b.device));
    diskFamily(w, disks, "node_disk_io_now", "gauge", "The number of I/Os currently in progress.", 11, 1);
    diskFamily(w, disks, "node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os.", 12, 0.001);
    diskFamily(w, disks, "node_disk_io_time_weighted_seconds_total", "counter",
        "The weighted # of seconds spent doing I/Os.", 13, 0.001);
    diskFamily(w, disks, "node_disk_read_bytes_total", "counter", "The total number of bytes read successfully.", 5, 512);
    diskFamily(w, disks, "node_disk_read_time_seconds_total", "counter",
        "The total number of seconds spent by all reads.", 6, 0.001);
    diskFamily(w, disks, "node_disk_reads_completed_total", "counter",
        "The total number of reads completed successfully.", 3, 1);
    diskFamily(w, disks, "node_disk_reads_merged_total", "counter", "The total number of reads merged.", 4, 1);
    diskFamily(w, disks, "node_disk_write_time_seconds_total", "counter",
        "This is the total number of seconds spent by all writes.", 10, 0.001);
    diskFamily(w, disks, "node_disk_writes_completed_total", "counter",
        "The total number of writes completed successfully.", 7, 1);
    diskFamily(w, disks, "node_disk_writes_merged_total", "counter", "The number of writes merged.", 8, 1);
    diskFamily(w, disks, "node_disk_written_bytes_total", "counter", "The total number of bytes written successfully.", 9, 512);
  }

  private static void diskFamily(MetricWriter w, List<DiskStat> disks, String name, String type, String help, int idx, double scale) {
    if (disks.isEmpty()) {
      return;
    }
    w.family(name, type, help);
    for (DiskStat d : disks) {
      w.sample(Double.parseDouble(d.f[idx]) * scale, "device", d.device);
    }
  }

  private record Mount(String device, String mountpoint, String fstype, boolean readonly) {}

  private void filesystems(MetricWriter w) {
    String mounts = read("1/mounts");
    if (mounts.isEmpty()) {
      mounts = read("mounts");
    }
    Map<String, Mount> byPoint = new LinkedHashMap<>();
    for (String line : mounts.split("\n")) {
      String[] f = line.split(" ");
      if (f.length < 4) {
        continue;
      }
      String point = f[1].replace("\\040", " ").replace("\\011", "\t");
      if (FS_MOUNT_EXCLUDE.matcher(point).find() || FS_TYPE_EXCLUDE.matcher(f[2]).matches()) {
        continue;
      }
      boolean ro = List.of(f[3].split(",")).contains("ro");
      byPoint.put(point, new Mount(f[0], point, f[2], ro));
    }
    if (byPoint.isEmpty()) {
      return;
    }
    Map<Mount, long[]> stats = statfs(new ArrayList<>(byPoint.values()));
    String[][] fams = {
      {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes."},
      {"node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device."},
      {"node_filesystem_files", "Filesystem total file nodes."},
      {"node_filesystem_files_free", "Filesystem total free file nodes."},
      {"node_filesystem_free_bytes", "Filesystem free space in bytes."},
      {"node_filesystem_readonly", "Filesystem read-only status."},
      {"node_filesystem_size_bytes", "Filesystem size in bytes."},
    };
    for (int k = 0; k < fams.length; k++) {
      w.family(fams[k][0], "gauge", fams[k][1]);
      for (Mount m : byPoint.values()) {
        long[] s = stats.get(m);
        String[] l = {"device", m.device, "fstype", m.fstype, "mountpoint", m.mountpoint};
        if (k == 1) {
          w.sample(s == null ? 1 : 0, l);
        } else if (k == 5) {
          w.sample(m.readonly ? 1 : 0, l);
        } else if (s != null) {
          double v = switch (k) {
            case 0 -> (double) s[2] * s[3];
            case 2 -> s[4];
            case 3 -> s[5];
            case 4 -> (double) s[1] * s[3];
            default -> (double) s[0] * s[3];
          };
          w.sample(v, l);
        }
      }
    }
  }

  /**
   * statfs(2) of each mount through {@code stat -f}, which the JDK does not expose for inodes:
   * blocks, free, available, block size, files, free files.
   */
  private static Map<Mount, long[]> statfs(List<Mount> mounts) {
    return statfs(mounts, true);
  }

  private static Map<Mount, long[]> statfs(List<Mount> mounts, boolean retrySingly) {
    Map<Mount, long[]> out = new LinkedHashMap<>();
    List<String> cmd = new ArrayList<>(List.of("stat", "-f", "--format=%b %f %a %s %c %d"));
    for (Mount m : mounts) {
      cmd.add(m.mountpoint);
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return out;
      }
      String[] lines = text.split("\n");
      if (lines.length != mounts.size() || p.exitValue() != 0) {
        return retrySingly ? statfsOneByOne(mounts) : out;
      }
      for (int i = 0; i < mounts.size(); i++) {
        out.put(mounts.get(i), parseStat(lines[i]));
      }
    } catch (IOException e) {
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private static Map<Mount, long[]> statfsOneByOne(List<Mount> mounts) {
    Map<Mount, long[]> out = new LinkedHashMap<>();
    for (Mount m : mounts) {
      Map<Mount, long[]> one = statfs(List.of(m), false);
      out.putAll(one);
    }
    return out;
  }

  private static long[] parseStat(String line) {
    String[] f = line.trim().split(" ");
    long[] v = new long[6];
    for (int i = 0; i < 6; i++) {
      v[i] = Long.parseLong(f[i]);
    }
    return v;
  }

  private void uname(MetricWriter w) {
    String arch = System.getProperty("os.arch", "");
    String machine = switch (arch) {
      case "amd64" -> "x86_64";
      case "x86" -> "i686";
      default -> arch;
    };
    w.family("node_uname_info", "gauge", "Labeled system information as provided by the uname system call.")
        .sample(1,
            "domainname", read("sys/kernel/domainname").trim(),
            "machine", machine,
            "nodename", read("sys/kernel/hostname").trim(),
            "release", read("sys/kernel/osrelease").trim(),
            "sysname", capitalize(read("sys/kernel/ostype").trim()),
            "version", read("sys/kernel/version").trim());
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? "Linux" : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }
}
