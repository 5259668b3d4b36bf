package dev.kiln.benchmarks.block;

import dev.kiln.benchmarks.tsdb.NodeExporterDataset;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.storage.Appender;
import java.util.List;

/**
 * Fills a head with the node_exporter-like dataset ({@link NodeExporterDataset}, 15 s scrapes,
 * 5% of scrapes jittered by 3-10 ms) for block benchmarks.
 */
public final class BlockDataset {
  /** Start of the data, aligned to 18 h so 2 h, 6 h and 18 h blocks line up. */
  public static final long START = 1_700_000_000_000L - (1_700_000_000_000L % (18 * 3_600_000L));

  private BlockDataset() {}

  /** One sample as the visitor sees it. */
  public interface SampleSink {
    void sample(NodeExporterDataset.SeriesSpec series, long t, double v);
  }

  /**
   * Appends {@code scrapes} scrapes of the first {@code seriesCount} series to the head, calling
   * the optional sink for each sample; returns the number of samples.
   */
  public static long fill(Head head, int seriesCount, int scrapes, SampleSink sink) {
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(seriesCount / 220 + 1, 42);
    specs = specs.subList(0, seriesCount);
    NodeExporterDataset.SampleStream[] streams = new NodeExporterDataset.SampleStream[seriesCount];
    for (int i = 0; i < seriesCount; i++) {
      streams[i] = new NodeExporterDataset.SampleStream(specs.get(i), i, START - 15_000);
    }
    long[] refs = new long[seriesCount];
    long n = 0;
    for (int s = 0; s < scrapes; s++) {
      Appender app = head.appender();
      for (int i = 0; i < seriesCount; i++) {
        long t = streams[i].nextTimestamp();
        double v = streams[i].value();
        refs[i] = app.append(refs[i], refs[i] == 0 ? specs.get(i).labels() : null, t, v);
        if (sink != null) {
          sink.sample(specs.get(i), t, v);
        }
        n++;
      }
      app.commit();
    }
    return n;
  }

}
