package dev.kiln.benchmarks.promql;

import dev.kiln.promql.EngineOptions;
import dev.kiln.promql.Matrix;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.engine.Engine;
import dev.kiln.tsdb.head.Head;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.memory.InMemoryStorage;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.Queryable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code histogram_quantile} over native histograms: 1,000 exponential (schema 3) latency
 * histograms × 6 h at 15 s (1,441 samples each, 1.44 M histogram samples), each sample adding 50
 * log-normal observations (≈ 25–35 populated buckets), range query with step 30 s (721 steps):
 *
 * <ul>
 *   <li>{@code histogram_quantile(0.9, rate(lat[5m]))}: one quantile per histogram and step;
 *   <li>{@code histogram_quantile(0.9, sum(rate(lat[5m])))}: the Grafana heatmap shape.
 * </ul>
 *
 * <p>Score: milliseconds per query; per histogram sample = score / 1.44 M. Measured on the 2-core
 * development machine (JDK 17, {@code -p storage=memory -wi 0 -i 2 -r 1s -prof gc}):
 * quantilePerHistogram 32.4 s per query (≈ 22 µs and 31 KB allocated per histogram sample read):
 * the histogram path is not optimized yet (every window recomputes its rate from decoded bucket
 * arrays). One iteration takes tens of seconds; run one parameter at a time to stay within the
 * machine's benchmark budget.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class NativeHistogramQueryBenchmark {
  static final long STEP_MILLIS = 15_000;
  static final int SAMPLES = 1_441;
  static final long END_MILLIS = (SAMPLES - 1) * STEP_MILLIS;

  /** memory: the reference in-memory storage; head: the real head (histogram chunks). */
  @Param({"head", "memory"})
  public String storage;

  /** Number of histogram series (1,000 in the documented runs; fewer for profiling). */
  @Param({"1000"})
  public int series;

  private Queryable data;
  private final Engine engine = new Engine(EngineOptions.DEFAULTS);

  @Setup(Level.Trial)
  public void load() {
    Appendable target;
    if (storage.equals("head")) {
      Head h = Head.inMemory();
      target = h;
      data = h;
    } else {
      InMemoryStorage m = new InMemoryStorage();
      target = m;
      data = m;
    }
    Random r = new Random(42);
    Labels[] labels = new Labels[series];
    List<TreeMap<Integer, Long>> buckets = new ArrayList<>();
    long[] count = new long[series];
    double[] sum = new double[series];
    for (int s = 0; s < series; s++) {
      labels[s] = Labels.of("__name__", "lat", "pod", "p" + s);
      buckets.add(new TreeMap<>());
    }
    // Time-major, as scrapes arrive, so the head's append window accepts every sample.
    for (int i = 0; i < SAMPLES; i++) {
      Appender app = target.appender();
      for (int s = 0; s < series; s++) {
        for (int k = 0; k < 50; k++) {
          double v = Math.exp(-3 + r.nextGaussian());
          buckets.get(s).merge((int) Math.ceil(Math.log(v) / Math.log(2) * 8), 1L, Long::sum);
          count[s]++;
          sum[s] += v;
        }
        app.appendHistogram(0, labels[s], i * STEP_MILLIS, histogram(buckets.get(s), count[s], sum[s]), null,
            AppendOptions.NONE);
      }
      app.commit();
    }
  }

  static Histogram histogram(TreeMap<Integer, Long> buckets, long count, double sum) {
    Histogram h = new Histogram();
    h.schema = 3;
    h.count = count;
    h.sum = sum;
    h.zeroThreshold = 1e-128;
    List<Span> spans = new ArrayList<>();
    long[] deltas = new long[buckets.size()];
    int n = 0;
    int prevIdx = 0;
    long prev = 0;
    int spanStart = 0;
    int spanLen = 0;
    int spanOffset = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      int idx = e.getKey();
      if (n == 0) {
        spanOffset = idx;
      } else if (idx != prevIdx + 1) {
        spans.add(new Span(spanOffset, spanLen));
        spanOffset = idx - prevIdx - 1;
        spanLen = 0;
      }
      spanLen++;
      deltas[n++] = e.getValue() - prev;
      prev = e.getValue();
      prevIdx = idx;
    }
    if (spanLen > 0) {
      spans.add(new Span(spanOffset, spanLen));
    }
    h.positiveSpans = spans.toArray(new Span[0]);
    h.positiveBuckets = deltas;
    return h;
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    if (data instanceof AutoCloseable c) {
      c.close();
    }
  }

  @Benchmark
  public Matrix quantilePerHistogram() {
    return (Matrix) engine.rangeQuery(data, QueryOptions.DEFAULTS, "histogram_quantile(0.9, rate(lat[5m]))",
        0, END_MILLIS, 30_000).exec().value();
  }

  @Benchmark
  public Matrix quantileOfSum() {
    return (Matrix) engine.rangeQuery(data, QueryOptions.DEFAULTS, "histogram_quantile(0.9, sum(rate(lat[5m])))",
        0, END_MILLIS, 30_000).exec().value();
  }

  @Benchmark
  public Matrix quantileOfSumByLe() {
    return (Matrix) engine.rangeQuery(data, QueryOptions.DEFAULTS,
        "histogram_quantile(0.9, sum by (le) (rate(lat[5m])))", 0, END_MILLIS, 30_000).exec().value();
  }

  @Benchmark
  public Matrix sumOfRate() {
    return (Matrix) engine.rangeQuery(data, QueryOptions.DEFAULTS, "sum(rate(lat[5m]))",
        0, END_MILLIS, 30_000).exec().value();
  }
}
