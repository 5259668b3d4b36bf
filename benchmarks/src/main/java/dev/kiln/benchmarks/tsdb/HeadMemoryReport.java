package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.db.Db;
import dev.kiln.tsdb.db.DbOptions;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appender;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures Java heap and RSS per active series: opens a {@link Db} (WAL on), creates
 * {@code series} node_exporter-like series and appends {@code samples} samples to each (15 s
 * apart, committed per scrape round), then reports heap used after a full GC divided by the
 * series count. Run: {@code java -Xmx4g -cp benchmarks.jar
 * dev.kiln.benchmarks.tsdb.HeadMemoryReport [series] [samples]}; {@code -Dhistogram=true} also prints the
 * heap's class histogram while the head is open.
 */
public final class HeadMemoryReport {
  private HeadMemoryReport() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 130;
    Path dir = Files.createTempDirectory("kiln-heap-report");
    long heapBefore = usedHeap();
    long rssBefore = rssBytes();
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(series / 220 + 1, 3);
    Labels[] labels = new Labels[series];
    for (int i = 0; i < series; i++) {
      labels[i] = specs.get(i).labels();
    }
    specs = null;
    long labelsHeap = usedHeap() - heapBefore;
    long[] refs = new long[series];
    long start = System.nanoTime();
    try (Db db = Db.open(dir, DbOptions.defaults())) {
      long t = 1_700_000_000_000L;
      for (int s = 0; s < samples; s++) {
        t += 15_000;
        for (int from = 0; from < series; from += 100_000) {
          Appender app = db.appender();
          for (int i = from; i < Math.min(series, from + 100_000); i++) {
            refs[i] = app.append(refs[i], refs[i] == 0 ? labels[i] : null, t, (i % 7 == 0) ? 1 : s * 1.5 + i);
          }
          app.commit();
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      labels = null;
      long heap = usedHeap() - heapBefore;
      long rss = rssBytes() - rssBefore;
      System.out.printf(
          "series=%d samples/series=%d ingest=%.1fs (%.2f M samples/s) heap=%d MiB heap/series=%d B rss/series=%d B chunks=%d%n",
          series, samples, secs, (double) series * samples / secs / 1e6, heap >> 20,
          heap / series, rss / series, db.head().chunkCount());
      System.out.printf("(the label sets, which the head keeps, took %d MiB of that)%n", labelsHeap >> 20);
      if (Boolean.getBoolean("histogram")) {
        printHistogram(Integer.getInteger("histogram.top", 25));
      }
    } finally {
      try (var st = Files.walk(dir)) {
        st.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The heap's classes by retained bytes (the JVM's class histogram, after a full GC), the first {@code top} rows. */
  private static void printHistogram(int top) throws Exception {
    Object out = ManagementFactory.getPlatformMBeanServer().invoke(
        new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    String[] lines = out.toString().split("\n");
    for (int i = 0; i < Math.min(lines.length, top + 2); i++) {
      System.out.println(lines[i]);
    }
    System.out.println(lines[lines.length - 1]);
  }

  private static long rssBytes() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }
}
