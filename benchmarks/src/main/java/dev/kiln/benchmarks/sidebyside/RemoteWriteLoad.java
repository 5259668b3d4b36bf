package dev.kiln.benchmarks.sidebyside;

import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * A bounded remote_write load generator for side-by-side runs (loopback only): sends
 * {@code series × samples} node_exporter-like samples in 1.0 batches over several connections to
 * one receiver, then prints samples/s, the receiver's CPU seconds per million samples (from
 * /proc/PID/stat) and its RSS. Usage: {@code RemoteWriteLoad URL PID SERIES SAMPLES CONNECTIONS}.
 */
public final class RemoteWriteLoad {
  private RemoteWriteLoad() {}

  public static void main(String[] args) throws Exception {
    URI url = URI.create(args[0]);
    long pid = Long.parseLong(args[1]);
    int series = Integer.parseInt(args[2]);
    int samples = Integer.parseInt(args[3]);
    int connections = Integer.parseInt(args[4]);
    int seriesPerBatch = 500;
    long t0 = (System.currentTimeMillis() / 15_000) * 15_000 - samples * 15_000L;
    List<byte[]> batches = new ArrayList<>();
    for (int step = 0; step < samples; step++) {
      for (int first = 0; first < series; first += seriesPerBatch) {
        WriteRequest.Builder wr = WriteRequest.newBuilder();
        for (int s = first; s < Math.min(series, first + seriesPerBatch); s++) {
          wr.addTimeseries(TimeSeries.newBuilder()
              .addLabels(Label.newBuilder().setName("__name__").setValue("node_cpu_seconds_total"))
              .addLabels(Label.newBuilder().setName("cpu").setValue(Integer.toString(s % 64)))
              .addLabels(Label.newBuilder().setName("instance").setValue("host-" + (s / 512) + ":9100"))
              .addLabels(Label.newBuilder().setName("job").setValue("node"))
              .addLabels(Label.newBuilder().setName("mode").setValue("m" + ((s / 64) % 8)))
              .addSamples(Sample.newBuilder().setTimestamp(t0 + step * 15_000L).setValue(step * 1.5 + (s % 7) * 0.01)));
        }
        batches.add(Snappy.compress(wr.build().toByteArray()));
      }
    }
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    double cpu0 = cpuSeconds(pid);
    long start = System.nanoTime();
    AtomicLong next = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    int perStep = (series + seriesPerBatch - 1) / seriesPerBatch;
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    List<Future<?>> fs = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      fs.add(pool.submit(() -> {
        long i;
        while ((i = next.getAndIncrement()) < batches.size()) {
          // Keep each series in order: a step's batches go out only after the previous step's were sent.
          try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(url).header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(batches.get((int) i))).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
              errors.incrementAndGet();
            }
          } catch (Exception e) {
            errors.incrementAndGet();
          }
        }
        return null;
      }));
      if (perStep < connections) {
        break;
      }
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    double secs = (System.nanoTime() - start) / 1e9;
    double cpu = cpuSeconds(pid) - cpu0;
    long total = (long) series * samples;
    System.out.printf("samples=%d seconds=%.2f samples_per_s=%.0f cpu_s_per_million=%.2f rss_mib=%.0f rss_anon_mib=%.0f errors=%d%n",
        total, secs, total / secs, cpu / (total / 1e6), statusMiB(pid, "VmRSS:"), statusMiB(pid, "RssAnon:"), errors.get());
  }

  private static double cpuSeconds(long pid) throws Exception {
    String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll("^.*\\) ", "").split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** A kB field of /proc/PID/status (VmRSS: all resident pages; RssAnon: those not backed by a file), in MiB. */
  private static double statusMiB(long pid, String field) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
      }
    }
    return -1;
  }
}
