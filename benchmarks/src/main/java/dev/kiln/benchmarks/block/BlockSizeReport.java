package dev.kiln.benchmarks.block;

import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.compact.HeadBlockWriter;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.io.FileIo;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * On-disk bytes per sample of a 2 h block of the node_exporter-like dataset, Kiln against
 * Prometheus: Kiln writes the block from its head; the same samples go to an OpenMetrics file
 * that {@code promtool tsdb create-blocks-from openmetrics} (Prometheus's own TSDB code) turns
 * into a block. Usage: {@code BlockSizeReport [series] [scrapes]} (defaults 4400 and 480).
 * Prints chunk bytes, index bytes and bytes per sample for both.
 */
public final class BlockSizeReport {
  private BlockSizeReport() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 4400;
    int scrapes = args.length > 1 ? Integer.parseInt(args[1]) : 480;
    Path work = Files.createTempDirectory("kiln-block-size");
    try {
      Head head = Head.inMemory();
      Path om = work.resolve("data.om");
      long samples;
      try (BufferedWriter w = Files.newBufferedWriter(om)) {
        samples = BlockDataset.fill(head, series, scrapes, (spec, t, v) -> {
          try {
            w.write(spec.labels().metricName());
            w.write('{');
            StringBuilder sb = new StringBuilder();
            spec.labels().forEach((n, val) -> {
              if (!n.equals("__name__")) {
                if (sb.length() > 0) {
                  sb.append(',');
                }
                sb.append(n).append("=\"").append(val).append('"');
              }
            });
            w.write(sb.toString());
            w.write("} ");
            w.write(Double.toString(v));
            w.write(' ');
            w.write(Long.toString(t / 1000));
            w.write('.');
            w.write(String.format("%03d", t % 1000));
            w.write('\n');
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        w.write("# EOF\n");
      }
      sortOpenMetricsBySeries(om);
      Path kiln = work.resolve("kiln");
      Files.createDirectories(kiln);
      long end = BlockDataset.START + scrapes * 15_000L;
      BlockMeta meta = HeadBlockWriter.write(FileIo.DEFAULT, kiln, head, BlockDataset.START - 15_000, end + 1);
      report("kiln", kiln, samples);
      Path prom = work.resolve("prom");
      Process p = new ProcessBuilder("promtool", "tsdb", "create-blocks-from", "openmetrics",
          "--max-block-duration=4h", om.toString(), prom.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        System.out.println("promtool failed: " + out);
        return;
      }
      report("prometheus", prom, samples);
      System.out.println("kiln block: " + meta.numSeries() + " series, " + meta.numChunks() + " chunks");
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }

  /** OpenMetrics needs each series' samples together: group lines by series, keep time order. */
  private static void sortOpenMetricsBySeries(Path om) throws IOException {
    java.util.List<String> lines = Files.readAllLines(om);
    lines.remove(lines.size() - 1);
    java.util.Map<String, java.util.List<String>> bySeries = new java.util.LinkedHashMap<>();
    for (String l : lines) {
      bySeries.computeIfAbsent(l.substring(0, l.indexOf('}') + 1), k -> new java.util.ArrayList<>()).add(l);
    }
    try (BufferedWriter w = Files.newBufferedWriter(om)) {
      for (java.util.List<String> ls : bySeries.values()) {
        for (String l : ls) {
          w.write(l);
          w.write('\n');
        }
      }
      w.write("# EOF\n");
    }
  }

  private static void report(String who, Path dir, long samples) throws IOException {
    long chunks = 0;
    long index = 0;
    long blocks = 0;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        if (!Files.isRegularFile(p)) {
          continue;
        }
        if (p.getParent().getFileName().toString().equals("chunks")) {
          chunks += Files.size(p);
        } else if (p.getFileName().toString().equals("index")) {
          index += Files.size(p);
          blocks++;
        }
      }
    }
    System.out.printf("%s: blocks=%d samples=%d chunkBytes=%d indexBytes=%d chunkBytes/sample=%.3f total/sample=%.3f%n",
        who, blocks, samples, chunks, index, (double) chunks / samples, (double) (chunks + index) / samples);
  }
}
