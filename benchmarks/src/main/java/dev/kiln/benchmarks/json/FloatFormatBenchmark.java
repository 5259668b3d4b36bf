package dev.kiln.benchmarks.json;

import dev.kiln.tsdb.model.GoFloats;
import dev.kiln.tsdb.model.GoFloats.Notation;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Formatting API sample values the way Prometheus does (Go's shortest round-trip digits): 1,024
 * values as a rate() or ratio query yields them (17-digit fractions, short decimals, integers).
 * {@code bigDecimal} is the search of {@link GoFloats#shortest} alone (now used for subnormals and
 * as the tests' reference); {@code sampleValue} is {@link GoFloats#format} with the API's notation,
 * whose digits come from {@code ShortestDigits} (Schubfach).
 * {@link #main} prints both as median thread CPU time per value. Machine: 2 shared vCPUs, OpenJDK 17, other builds running.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FloatFormatBenchmark {
  private final double[] values = new double[1024];

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (i % 4) {
        case 0 -> r.nextInt(100_000) / 15.0;
        case 1 -> 100 - r.nextInt(10_000) / 300.0;
        case 2 -> r.nextInt(1000) * 0.5;
        default -> (double) r.nextInt(1 << 30);
      };
    }
  }

  @Benchmark
  public long bigDecimal() {
    long n = 0;
    for (double v : values) {
      BigDecimal bd = GoFloats.shortest(v);
      n += bd.unscaledValue().toString().length() + bd.scale();
    }
    return n;
  }

  @Benchmark
  public long sampleValue() {
    long n = 0;
    for (double v : values) {
      n += GoFloats.format(v, Notation.API_VALUE).length();
    }
    return n;
  }

  public static void main(String[] args) throws Exception {
    FloatFormatBenchmark b = new FloatFormatBenchmark();
    b.setup();
    double big = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::bigDecimal, 9, 300);
    double now = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::sampleValue, 9, 300);
    System.out.printf("per value: BigDecimal search %.0f ns CPU, sampleValue %.0f ns CPU%n", big / 1024, now / 1024);
  }
}
