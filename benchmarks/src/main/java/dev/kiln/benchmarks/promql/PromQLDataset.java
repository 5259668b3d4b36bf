package dev.kiln.benchmarks.promql;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;

/**
 * Synthetic data for the PromQL benchmarks: 10,000 series over 6 hours at a 15 s scrape interval
 * (1,440 samples each, 14.4 M samples), shaped like node_exporter CPU counters or like a classic
 * histogram. Values are monotonic counters with a small per-series slope.
 */
final class PromQLDataset {
  static final long SCRAPE_INTERVAL_MILLIS = 15_000;
  static final int SAMPLES_PER_SERIES = 6 * 3600 / 15;
  static final long START_MILLIS = 1_700_000_000_000L;
  static final long END_MILLIS = START_MILLIS + (SAMPLES_PER_SERIES - 1) * SCRAPE_INTERVAL_MILLIS;
  static final String[] CPU_MODES = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
  static final String[] BUCKETS = {"0.005", "0.01", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"};

  private PromQLDataset() {}

  /** 125 instances × 10 CPUs × 8 modes of {@code node_cpu_seconds_total}. */
  static Labels[] nodeCpuSeries() {
    Labels[] out = new Labels[125 * 10 * CPU_MODES.length];
    int k = 0;
    for (int inst = 0; inst < 125; inst++) {
      for (int cpu = 0; cpu < 10; cpu++) {
        for (String mode : CPU_MODES) {
          out[k++] = Labels.of("__name__", "node_cpu_seconds_total", "job", "node",
              "instance", "10.0." + (inst / 250) + "." + (inst % 250) + ":9100",
              "cpu", Integer.toString(cpu), "mode", mode);
        }
      }
    }
    return out;
  }

  /** 1,000 pods × 10 buckets of {@code x_bucket}. */
  static Labels[] histogramSeries() {
    Labels[] out = new Labels[1000 * BUCKETS.length];
    int k = 0;
    for (int pod = 0; pod < 1000; pod++) {
      for (String le : BUCKETS) {
        out[k++] = Labels.of("__name__", "x_bucket", "job", "api", "pod", "api-" + pod, "le", le);
      }
    }
    return out;
  }

  /** Appends all samples, one commit per scrape as a scraper would. */
  static void load(Appendable storage, Labels[] series, boolean histogram) {
    long[] refs = new long[series.length];
    for (int i = 0; i < SAMPLES_PER_SERIES; i++) {
      long t = START_MILLIS + i * SCRAPE_INTERVAL_MILLIS;
      Appender app = storage.appender();
      for (int s = 0; s < series.length; s++) {
        double slope = histogram ? (1 + s % BUCKETS.length) * 0.7 : 0.1 + (s % 17) * 0.01;
        double v = i * slope * 15;
        refs[s] = app.append(refs[s], series[s], t, v, AppendOptions.NONE);
      }
      app.commit();
    }
  }
}
