package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.wal.WalCompression;
import dev.kiln.tsdb.wal.WalCounters;
import dev.kiln.tsdb.wal.WalRecords;
import dev.kiln.tsdb.wal.WalWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Framing one remote-write request's samples record (500 node_exporter-like series, one sample
 * each, as {@code RemoteWriteLoad} sends them) into WAL pages, with and without Snappy: the
 * writer's CPU per sample, without the file write (the I/O seam discards the bytes and counts
 * them). Score: nanoseconds per sample; {@code bytesPerSample} is printed at tear-down.
 *
 * <p>Measured on the project machine: 2 shared vCPUs, OpenJDK 17, see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WalAppendBenchmark {
  static final int SERIES = 500;
  static final int REQUESTS = 64;

  @Param({"NONE", "SNAPPY"})
  public String compression;

  byte[][] records;
  Path dir;
  WalWriter writer;
  final DiscardingIo io = new DiscardingIo();
  long appended;

  /** Writes nothing, counts the bytes. */
  static final class DiscardingIo extends FileIo {
    long bytes;

    @Override
    public void write(FileChannel ch, ByteBuffer buf) {
      bytes += buf.remaining();
      buf.position(buf.limit());
    }

    @Override
    public void sync(FileChannel ch) {}

    @Override
    public void syncDirectory(Path dir) {}
  }

  @Setup(Level.Trial)
  public void setup() throws IOException {
    List<NodeExporterDataset.SeriesSpec> specs = NodeExporterDataset.series(20, 7);
    NodeExporterDataset.SampleStream[] streams = new NodeExporterDataset.SampleStream[SERIES];
    for (int i = 0; i < SERIES; i++) {
      streams[i] = new NodeExporterDataset.SampleStream(specs.get(i % specs.size()), i, 1_700_000_000_000L);
    }
    records = new byte[REQUESTS][];
    long[] refs = new long[SERIES];
    long[] ts = new long[SERIES];
    double[] vs = new double[SERIES];
    for (int r = 0; r < REQUESTS; r++) {
      for (int i = 0; i < SERIES; i++) {
        refs[i] = 1 + (long) (r % 10) * SERIES + i; // ten requests' worth of distinct series, in order
        ts[i] = streams[i].nextTimestamp();
        vs[i] = streams[i].value();
      }
      records[r] = WalRecords.encodeSamples(refs, ts, vs, SERIES);
    }
    dir = Files.createTempDirectory("wal-append-bench");
    writer = new WalWriter(io, dir, 0, 1L << 40, new WalCounters(), WalCompression.valueOf(compression));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    writer.close();
    System.out.printf("%n%s: %.3f WAL bytes per sample%n", compression, io.bytes / (double) appended);
    FileIo.DEFAULT.deleteRecursively(dir);
  }

  @Benchmark
  @OperationsPerInvocation(REQUESTS * SERIES)
  public long append() {
    for (byte[] rec : records) {
      writer.append(rec, 0, rec.length);
      writer.flush();
    }
    appended += REQUESTS * SERIES;
    return writer.writtenBytes();
  }
}
