package dev.kiln.benchmarks.sidebyside;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Driver of {@code benchmarks/side-by-side/dashboard.sh} (loopback only, bounded): {@code write}
 * sends the {@link DashboardWorkload} series over several connections as remote write 1.0 (one
 * sample per series per request, 500 series per request, steps of 15 s ending at END) and prints
 * samples/s and the receiver's CPU per million samples; {@code query} runs every query of the
 * dashboard workload file as an instant query at END and as 1 h/15 s and 6 h/30 s range queries
 * ending at END, and prints each one's median wall time and result size. Output is
 * {@code key=value} lines for the script to tabulate.
 *
 * <pre>
 * DashboardBench write URL PID HOSTS STEPS CONNECTIONS END_MILLIS
 * DashboardBench query BASE_URL PID END_MILLIS RUNS QUERIES_MD [extra=param]
 * </pre>
 */
public final class DashboardBench {
  private static final int SERIES_PER_REQUEST = 500;
  private static final Batch END = new Batch(-1, -1, new byte[0]);
  /** A request left unanswered this long counts as an error (write) or a failed query, instead of stalling the run. */
  private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(120);

  /** One request: chunk {@code chunk} of the series at step {@code step}. */
  private record Batch(int step, int chunk, byte[] body) {}

  private DashboardBench() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("write")) {
      write(URI.create(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), Long.parseLong(args[6]));
    } else {
      query(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]), Path.of(args[5]),
          args.length > 6 ? args[6] : "");
    }
  }

  private static void write(URI url, long pid, int hosts, int steps, int connections, long endMillis) throws Exception {
    DashboardWorkload w = new DashboardWorkload(hosts);
    int n = w.size();
    long t0 = endMillis - (steps - 1) * 15_000L;
    BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(64);
    Thread producer = new Thread(() -> {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
      try {
        for (int step = 0; step < steps; step++) {
          long t = t0 + step * 15_000L;
          for (int first = 0; first < n; first += SERIES_PER_REQUEST) {
            buf.reset();
            for (int s = first; s < Math.min(n, first + SERIES_PER_REQUEST); s++) {
              w.encodeSeries(buf, s, t, w.next(s));
            }
            queue.put(new Batch(step, first / SERIES_PER_REQUEST, Snappy.compress(buf.toByteArray())));
          }
        }
        for (int c = 0; c < connections; c++) {
          queue.put(END);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "producer");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicLong errors = new AtomicLong();
    String[] firstError = {null};
    int[] sent = new int[(n + SERIES_PER_REQUEST - 1) / SERIES_PER_REQUEST];
    Arrays.fill(sent, -1);
    producer.start();
    // Let the producer run ahead so the receiver's clock starts with a full queue.
    while (queue.remainingCapacity() > 0 && producer.isAlive()) {
      Thread.sleep(10);
    }
    ProcStat before = ProcStat.of(pid);
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    List<Future<?>> fs = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      fs.add(pool.submit(() -> {
        for (Batch b = queue.take(); b != END; b = queue.take()) {
          // A series' samples go out in order: step s of a chunk only after step s - 1 was answered.
          synchronized (sent) {
            while (sent[b.chunk] < b.step - 1) {
              sent.wait();
            }
          }
          byte[] body = b.body;
          try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2 && errors.incrementAndGet() == 1) {
              firstError[0] = r.statusCode() + " " + r.body().strip();
            }
          } catch (java.net.http.HttpTimeoutException e) {
            if (errors.incrementAndGet() == 1) {
              firstError[0] = "no answer within " + TIMEOUT.toSeconds() + " s";
            }
          }
          synchronized (sent) {
            sent[b.chunk] = b.step;
            sent.notifyAll();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    double secs = (System.nanoTime() - start) / 1e9;
    ProcStat after = ProcStat.of(pid);
    long total = (long) n * steps;
    System.out.printf("series=%d samples=%d seconds=%.2f samples_per_s=%.0f cpu_s=%.2f cpu_s_per_million=%.3f rss_mib=%.0f rss_anon_mib=%.0f errors=%d%s%n",
        n, total, secs, total / secs, after.cpu - before.cpu, (after.cpu - before.cpu) / (total / 1e6), after.rssMiB,
        after.rssAnonMiB, errors.get(), firstError[0] == null ? "" : " first_error=" + firstError[0].replace(' ', '_'));
  }

  private static void query(String base, long pid, long endMillis, int runs, Path queriesMd, String extra) throws Exception {
    List<String> queries = queries(queriesMd);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String end = Double.toString(endMillis / 1000.0);
    String start1h = Double.toString((endMillis - 3_600_000L) / 1000.0);
    String start6h = Double.toString((endMillis - 6 * 3_600_000L) / 1000.0);
    ProcStat before = ProcStat.of(pid);
    for (int q = 0; q < queries.size(); q++) {
      String expr = URLEncoder.encode(queries.get(q), StandardCharsets.UTF_8);
      String[][] modes = {
          {"instant", base + "/api/v1/query?query=" + expr + "&time=" + end},
          {"1h", base + "/api/v1/query_range?query=" + expr + "&start=" + start1h + "&end=" + end + "&step=15"},
          {"6h", base + "/api/v1/query_range?query=" + expr + "&start=" + start6h + "&end=" + end + "&step=30"}};
      for (String[] mode : modes) {
        URI uri = URI.create(mode[1] + (extra.isEmpty() ? "" : "&" + extra));
        double[] ms = new double[runs];
        String body = null;
        for (int i = -1; i < runs; i++) {
          long t = System.nanoTime();
          HttpResponse<String> r;
          try {
            r = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
          } catch (java.net.http.HttpTimeoutException e) {
            System.err.println("query " + q + " " + mode[0] + ": no answer within " + TIMEOUT.toSeconds() + " s");
            body = null;
            break;
          }
          double took = (System.nanoTime() - t) / 1e6;
          if (i >= 0) {
            ms[i] = took;
          }
          body = r.statusCode() == 200 ? r.body() : null;
          if (body == null) {
            System.err.println("query " + q + " " + mode[0] + ": " + r.statusCode() + " " + r.body());
            break;
          }
        }
        Arrays.sort(ms);
        System.out.printf("query=%d mode=%s median_ms=%.1f series=%d points=%d%n", q, mode[0], body == null ? -1 : ms[runs / 2],
            body == null ? -1 : count(body, "\"metric\""), body == null ? -1 : points(body));
      }
    }
    ProcStat after = ProcStat.of(pid);
    System.out.printf("query_cpu_s=%.2f rss_after_queries_mib=%.0f rss_anon_after_queries_mib=%.0f%n", after.cpu - before.cpu,
        after.rssMiB, after.rssAnonMiB);
    // A second of no requests later: what a server gives back once a burst of queries is over (Kiln's release
    // after queries, docs/operations.md), with the CPU it took in that second counted.
    Thread.sleep(1000);
    ProcStat later = ProcStat.of(pid);
    System.out.printf("query_cpu_1s_after_s=%.2f rss_1s_after_queries_mib=%.0f rss_1s_after_queries_anon_mib=%.0f%n",
        later.cpu - before.cpu, later.rssMiB, later.rssAnonMiB);
  }

  /** The PromQL lines of the workload file's code blocks, Grafana's rate interval set to 1m. */
  public static List<String> queries(Path md) throws Exception {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(md)) {
      if (line.startsWith("```")) {
        in = !in;
      } else if (in && !line.isBlank()) {
        out.add(line.strip().replace("$__rate_interval", "1m"));
      }
    }
    return out;
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static int points(String body) {
    int values = count(body, "\"values\"");
    if (values == 0) {
      return count(body, "\"value\"");
    }
    int n = 0;
    for (int i = body.indexOf("\"values\":["); i >= 0; i = body.indexOf("\"values\":[", i + 1)) {
      int close = body.indexOf("]]", i);
      for (int j = body.indexOf('[', i + 10); j >= 0 && j < close; j = body.indexOf('[', j + 1)) {
        n++;
      }
    }
    return n;
  }

  /**
   * CPU seconds (user + system), RSS and its anonymous part of a process, from /proc. The anonymous
   * part ({@code RssAnon}) leaves out resident pages of mapped files, which are page cache the kernel
   * can drop.
   */
  record ProcStat(double cpu, double rssMiB, double rssAnonMiB) {
    static ProcStat of(long pid) throws Exception {
      String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll("^.*\\) ", "").split(" ");
      double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
      double rss = -1;
      double anon = -1;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        } else if (line.startsWith("RssAnon:")) {
          anon = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
      }
      return new ProcStat(cpu, rss, anon);
    }
  }
}
