package dev.kiln.server.remotewrite;

import dev.kiln.benchmarks.sidebyside.DashboardWorkload;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Decoding one remote write 1.0 request of 500 known series (one sample each, the side-by-side
 * dashboard workload's labels) straight from its bytes: the label bytes of each series are hashed
 * and found in the {@link SeriesRefCache}; no label is decoded. Score per request; divide by 500
 * for a sample. {@link #main} prints the median thread CPU time per request instead (steadier than
 * JMH's wall-clock score on a loaded machine). In package {@code remotewrite} to reach the package-private decoder. Machine: 2
 * shared vCPUs, OpenJDK 17, other builds running.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class V1DecodeBenchmark {
  private byte[] request;
  private V1Decoder decoder;

  @Setup
  public void setup() throws Exception {
    DashboardWorkload w = new DashboardWorkload(4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int s = 0; s < w.size(); s++) {
      w.encodeSeries(out, s, 1_700_000_000_000L, w.next(s));
    }
    request = out.toByteArray();
    SeriesRefCache cache = new SeriesRefCache(1 << 20);
    decoder = new V1Decoder(cache);
    long ref = 1;
    for (DecodedSeries d : decoder.decode(request)) {
      cache.put(d.key1, d.key2, ref++);
    }
  }

  @Benchmark
  public List<DecodedSeries> decodeKnownSeries() throws Exception {
    return decoder.decode(request);
  }

  public static void main(String[] args) throws Exception {
    V1DecodeBenchmark b = new V1DecodeBenchmark();
    b.setup();
    double ns = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::decodeKnownSeries, 9, 2000);
    System.out.printf("decode 500 known series: %.1f us CPU per request, %.0f ns per series%n", ns / 1000, ns / 500);
  }
}
