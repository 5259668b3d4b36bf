package dev.kiln.server.remotewrite;

import dev.kiln.server.http.Request;
import dev.kiln.server.http.Response;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.xerial.snappy.Snappy;

/**
 * The remote write receive path for one request of known series (the steady state of a sender):
 * the snappy body as Netty hands it over (a direct buffer), decompression, decoding, the series
 * lookup and the hand-off of every sample to an appender that keeps nothing ({@link
 * NullRefStorage}), so the head's own cost is left out. {@link ReceiveWorkload}: one sample per
 * series, node_exporter and cAdvisor labels. Score per request; divide by {@code series} for a
 * sample ({@code -prof gc}: B/op likewise). Machine: 2 shared vCPUs, OpenJDK 17.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ReceiveBenchmark {
  @Param({"v1", "v2"})
  public String protocol;

  @Param({"1000"})
  public int series;

  private ByteBuffer body;
  private Map<String, String> headers;
  private RemoteWriteHandler handler;

  @Setup
  public void setup() throws Exception {
    ReceiveWorkload w = new ReceiveWorkload(series, 42);
    long t = System.currentTimeMillis() - 60_000;
    byte[] raw = protocol.equals("v1") ? w.v1(t) : w.v2(t);
    byte[] compressed = Snappy.compress(raw);
    body = ByteBuffer.allocateDirect(compressed.length);
    body.put(compressed).flip();
    headers = Map.of("content-type", protocol.equals("v1") ? "application/x-protobuf"
        : "application/x-protobuf;proto=io.prometheus.write.v2.Request", "content-encoding", "snappy");
    handler = new RemoteWriteHandler(new NullRefStorage(), Clock.systemUTC(), new RemoteWriteStats());
    Response first = receive();
    if (first.status() != 204) {
      throw new IllegalStateException("setup request answered " + first.status() + ": " + new String(first.body()));
    }
  }

  /** One request, from the direct body buffer to the committed appender. */
  @Benchmark
  public Response receive() {
    return handler.handle(Request.withLentBody("POST", "/api/v1/write", Map.of(), headers, body));
  }

  public static void main(String[] args) throws Exception {
    for (String p : new String[] {"v1", "v2"}) {
      ReceiveBenchmark b = new ReceiveBenchmark();
      b.protocol = p;
      b.series = 1000;
      b.setup();
      double ns = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::receive, 9, 1000);
      System.out.printf("%s: %.1f us CPU per request of %d series, %.0f ns per sample%n", p, ns / 1000, b.series, ns / b.series);
    }
  }
}
