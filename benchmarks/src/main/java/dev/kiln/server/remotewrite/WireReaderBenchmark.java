package dev.kiln.server.remotewrite;

import com.google.protobuf.CodedInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The choice of wire reader for the remote write decoders: the same walk over a decompressed 1.0
 * request of 1,000 series ({@link ReceiveWorkload}), entering each series and sample, skipping
 * the label fields and reading every sample's value and timestamp: with protobuf-java's {@link
 * CodedInputStream} over a direct {@link ByteBuffer} and over the array, and with Kiln's {@link
 * WireReader} over the array. Score per request; {@link #main} prints the median thread CPU time of
 * both instead (steadier on a loaded machine). Machine: 2 shared vCPUs, OpenJDK 17.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WireReaderBenchmark {
  private ByteBuffer body;
  private final WireReader reader = new WireReader();

  private byte[] raw;

  @Setup
  public void setup() {
    raw = new ReceiveWorkload(1000, 42).v1(1_700_000_000_000L);
    body = ByteBuffer.allocateDirect(raw.length).order(ByteOrder.LITTLE_ENDIAN);
    body.put(raw).flip();
  }

  /** protobuf-java over the array. */
  @Benchmark
  public long codedInputStreamArray() throws Exception {
    return walk(CodedInputStream.newInstance(raw));
  }

  /** protobuf-java over the direct buffer. */
  @Benchmark
  public long codedInputStream() throws Exception {
    return walk(CodedInputStream.newInstance(body.duplicate()));
  }

  private static long walk(CodedInputStream in) throws Exception {
    long sum = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag != 0x0a) {
        in.skipField(tag);
        continue;
      }
      int series = in.pushLimit(in.readRawVarint32());
      for (int t; (t = in.readTag()) != 0; ) {
        if (t == 0x12) {
          int sample = in.pushLimit(in.readRawVarint32());
          for (int st; (st = in.readTag()) != 0; ) {
            if (st == 0x09) {
              sum += Double.doubleToRawLongBits(in.readDouble());
            } else if (st == 0x10) {
              sum += in.readInt64();
            } else {
              in.skipField(st);
            }
          }
          in.popLimit(sample);
        } else {
          in.skipField(t);
        }
      }
      in.popLimit(series);
    }
    return sum;
  }

  @Benchmark
  public long wireReader() throws Exception {
    WireReader r = reader.reset(raw, 0, raw.length);
    long sum = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag != 0x0a) {
        r.skipField(tag);
        continue;
      }
      int series = r.enter();
      while (r.hasMore()) {
        int t = r.readTag();
        if (t == 0x12) {
          int sample = r.enter();
          while (r.hasMore()) {
            int st = r.readTag();
            if (st == 0x09) {
              sum += r.readFixed64();
            } else if (st == 0x10) {
              sum += r.readVarint();
            } else {
              r.skipField(st);
            }
          }
          r.leave(sample);
        } else {
          r.skipField(t);
        }
      }
      r.leave(series);
    }
    return sum;
  }

  public static void main(String[] args) throws Exception {
    WireReaderBenchmark b = new WireReaderBenchmark();
    b.setup();
    for (int round = 0; round < 3; round++) {
      double coded = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::codedInputStream, 7, 1000);
      double codedArray = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::codedInputStreamArray, 7, 1000);
      double wire = dev.kiln.benchmarks.CpuTime.nanosPerCall(b::wireReader, 7, 1000);
      System.out.printf("CodedInputStream on the direct buffer %.1f us, on the array %.1f us, WireReader %.1f us CPU per request of 1000 series%n",
          coded / 1000, codedArray / 1000, wire / 1000);
    }
  }
}
