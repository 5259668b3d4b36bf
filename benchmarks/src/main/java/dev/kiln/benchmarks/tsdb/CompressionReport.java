package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.chunk.XorChunk;
import java.util.List;

/**
 * Prints bytes per sample of XOR chunks on the node_exporter-like dataset: {@code hosts} hosts
 * for 2 hours at 15 s, cut into 120-sample chunks. Counts chunk bytes only (as the Gorilla
 * paper's 1.37 bytes/sample does). Run: {@code java -cp benchmarks.jar
 * dev.kiln.benchmarks.tsdb.CompressionReport [hosts]}.
 */
public final class CompressionReport {
  private CompressionReport() {}

  /** Bytes per sample over the dataset. */
  public static double bytesPerSample(int hosts, int samplesPerSeries) {
    return bytesPerSample(hosts, samplesPerSeries, 0.05);
  }

  /** Bytes per sample with a given fraction of scrapes whose timestamp is 3-10 ms off. */
  public static double bytesPerSample(int hosts, int samplesPerSeries, double jittered) {
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(hosts, 11);
    long bytes = 0;
    long samples = 0;
    for (int s = 0; s < specs.size(); s++) {
      NodeExporterDataset.SampleStream stream =
          new NodeExporterDataset.SampleStream(specs.get(s), s, 1_700_000_000_000L, jittered);
      XorChunk chunk = new XorChunk();
      for (int i = 0; i < samplesPerSeries; i++) {
        if (chunk.numSamples() == 120) {
          bytes += chunk.length();
          chunk = new XorChunk();
        }
        chunk.append(stream.nextTimestamp(), stream.value());
        samples++;
      }
      bytes += chunk.length();
    }
    return (double) bytes / samples;
  }

  public static void main(String[] args) {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int series = NodeExporterDataset.series(hosts, 11).size();
    for (double jittered : new double[] {0, 0.05, 0.25, 1}) {
      System.out.printf("series=%d samples/series=480 jittered-scrapes=%.0f%% bytes/sample=%.3f%n",
          series, jittered * 100, bytesPerSample(hosts, 480, jittered));
    }
  }
}
