package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.chunk.FloatHistogramAppender;
import dev.kiln.tsdb.chunk.HistogramAppender;
import dev.kiln.tsdb.chunk.HistogramChunk;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.ValueType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Histogram and float-histogram chunk append and iteration on {@link HistogramDataset}: each
 * invocation encodes (or decodes) 32 series × 120 samples (one chunk each unless the appender cuts
 * or recodes), so the score is nanoseconds per histogram sample. Iteration reads every sample
 * into a reused histogram, as PromQL does. {@link #main} prints bytes per sample.
 *
 * <p>Measured on the project machine: 2 shared vCPUs, OpenJDK 17, see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HistogramChunkBenchmark {
  static final int SERIES = 32;
  static final int SAMPLES = 120;

  long[][] ts;
  Histogram[][] hs;
  FloatHistogram[][] fhs;
  HistogramChunk[] encoded;
  HistogramChunk[] floatEncoded;
  SampleIterator reuse;
  SampleIterator floatReuse;
  final Histogram into = new Histogram();
  final FloatHistogram floatInto = new FloatHistogram();

  @Setup
  public void setup() {
    ts = new long[SERIES][SAMPLES];
    hs = new Histogram[SERIES][SAMPLES];
    fhs = new FloatHistogram[SERIES][SAMPLES];
    encoded = new HistogramChunk[SERIES];
    floatEncoded = new HistogramChunk[SERIES];
    for (int s = 0; s < SERIES; s++) {
      HistogramDataset.Stream st = new HistogramDataset.Stream(s, 1_700_000_000_000L);
      for (int w = 0; w < 480; w++) {
        st.next(); // 2 h of warm-up: the layout has filled in, as for a long-running client
      }
      for (int i = 0; i < SAMPLES; i++) {
        hs[s][i] = st.next();
        ts[s][i] = st.timestamp();
        fhs[s][i] = hs[s][i].toFloat(null);
      }
      encoded[s] = encode(s);
      floatEncoded[s] = encodeFloat(s);
    }
  }

  private HistogramChunk encode(int s) {
    HistogramAppender app = HistogramAppender.create();
    for (int i = 0; i < SAMPLES; i++) {
      app = app.append(null, ts[s][i], hs[s][i].copy());
    }
    return app.chunk();
  }

  private HistogramChunk encodeFloat(int s) {
    FloatHistogramAppender app = FloatHistogramAppender.create();
    for (int i = 0; i < SAMPLES; i++) {
      app = app.append(null, ts[s][i], fhs[s][i].copy());
    }
    return app.chunk();
  }

  @Benchmark
  @OperationsPerInvocation(SERIES * SAMPLES)
  public int appendHistogram() {
    int bytes = 0;
    for (int s = 0; s < SERIES; s++) {
      HistogramAppender app = HistogramAppender.create();
      Histogram[] row = hs[s];
      long[] t = ts[s];
      for (int i = 0; i < SAMPLES; i++) {
        // The appender may insert buckets into the sample; the dataset's layouts only widen, so
        // appending the shared instances is safe after the first (setup) encode.
        app = app.append(null, t[i], row[i]);
      }
      bytes += app.chunk().length();
    }
    return bytes;
  }

  @Benchmark
  @OperationsPerInvocation(SERIES * SAMPLES)
  public int appendFloatHistogram() {
    int bytes = 0;
    for (int s = 0; s < SERIES; s++) {
      FloatHistogramAppender app = FloatHistogramAppender.create();
      FloatHistogram[] row = fhs[s];
      long[] t = ts[s];
      for (int i = 0; i < SAMPLES; i++) {
        app = app.append(null, t[i], row[i]);
      }
      bytes += app.chunk().length();
    }
    return bytes;
  }

  @Benchmark
  @OperationsPerInvocation(SERIES * SAMPLES)
  public long iterateHistogram() {
    long sum = 0;
    for (int s = 0; s < SERIES; s++) {
      SampleIterator it = encoded[s].iterator(reuse);
      reuse = it;
      while (it.next() == ValueType.HISTOGRAM) {
        sum += it.atT() + it.atHistogram(into).count;
      }
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(SERIES * SAMPLES)
  public double iterateFloatHistogram() {
    double sum = 0;
    for (int s = 0; s < SERIES; s++) {
      SampleIterator it = floatEncoded[s].iterator(floatReuse);
      floatReuse = it;
      while (it.next() == ValueType.FLOAT_HISTOGRAM) {
        sum += it.atT() + it.atFloatHistogram(floatInto).count;
      }
    }
    return sum;
  }

  /** Prints bytes per sample and buckets per histogram of the dataset, both encodings. */
  public static void main(String[] args) {
    HistogramChunkBenchmark b = new HistogramChunkBenchmark();
    b.setup();
    long bytes = 0;
    long floatBytes = 0;
    long buckets = 0;
    for (int s = 0; s < SERIES; s++) {
      bytes += b.encoded[s].length();
      floatBytes += b.floatEncoded[s].length();
      for (int i = 0; i < SAMPLES; i++) {
        buckets += b.hs[s][i].positiveBuckets.length;
      }
    }
    double n = SERIES * (double) SAMPLES;
    int layoutChanges = 0;
    for (int s = 0; s < SERIES; s++) {
      for (int i = 1; i < SAMPLES; i++) {
        if (!java.util.Arrays.equals(b.hs[s][i].positiveSpans, b.hs[s][i - 1].positiveSpans)) {
          layoutChanges++;
        }
      }
    }
    System.out.printf("histogram chunk: %.2f bytes/sample, float histogram chunk: %.2f bytes/sample,"
        + " %.1f buckets/histogram, %.1f%% of samples change the layout%n", bytes / n, floatBytes / n,
        buckets / n, 100.0 * layoutChanges / n);
  }
}
