package dev.kiln.server.differential;

import dev.kiln.server.remotewrite.proto.v1.BucketSpan;
import dev.kiln.server.remotewrite.proto.v1.Histogram;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Request-latency native histograms as client_golang exposes them (schema 3, bucket factor 1.1,
 * zero threshold 2^-128, spans keeping runs of up to two empty buckets), scraped every 15 s:
 * {@code http_request_duration_seconds{svc, instance}} for four services with two instances
 * each, log-normal latencies (median 5 to 200 ms) at 20 to 2,000 requests a scrape. Two
 * instances restart (their counters start again from zero) part-way. Deterministic for a seed;
 * sample {@code i} is at {@code start + i * 15 s}.
 */
final class LatencyHistograms {
  static final String METRIC = "http_request_duration_seconds";
  static final String[] SERVICES = {"api", "auth", "checkout", "search"};
  private static final double ZERO_THRESHOLD = Math.scalb(1.0, -128);

  private final List<List<String>> labels = new ArrayList<>();
  private final List<Histogram[]> samples = new ArrayList<>();
  private final long start;

  LatencyHistograms(long seed, long start, int n) {
    this.start = start;
    Random r = new Random(seed);
    for (String svc : SERVICES) {
      for (int inst = 0; inst < 2; inst++) {
        labels.add(List.of("__name__", METRIC, "instance", "10.0.0." + inst + ":8080", "job", "web", "svc", svc));
        double mu = Math.log(0.005 * Math.pow(40, r.nextDouble()));
        double sigma = 0.4 + r.nextDouble() * 0.8;
        int rate = 20 + (int) (1980 * Math.pow(r.nextDouble(), 2));
        // checkout's second instance restarts after 2 h 10 min, search's first after 4 h 20 min.
        int restart = svc.equals("checkout") && inst == 1 ? 520 : svc.equals("search") && inst == 0 ? 1040 : -1;
        samples.add(stream(r, mu, sigma, rate, n, restart));
      }
    }
  }

  private static Histogram[] stream(Random r, double mu, double sigma, int rate, int n, int restart) {
    Histogram[] out = new Histogram[n];
    TreeMap<Integer, Long> buckets = new TreeMap<>();
    long zero = 0;
    long count = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double share = 1;
      if (i == restart) {
        buckets.clear();
        zero = 0;
        count = 0;
        sum = 0;
        share = 0.4; // the new process served for part of the interval only
      }
      int obs = Math.max(0, (int) Math.round(share * (rate + Math.sqrt(rate) * r.nextGaussian())));
      for (int k = 0; k < obs; k++) {
        double v = Math.exp(mu + sigma * r.nextGaussian());
        count++;
        sum += v;
        if (v <= ZERO_THRESHOLD) {
          zero++;
        } else {
          buckets.merge((int) Math.ceil(Math.log(v) / Math.log(2) * 8), 1L, Long::sum);
        }
      }
      out[i] = histogram(buckets, zero, count, sum);
    }
    return out;
  }

  private static Histogram histogram(TreeMap<Integer, Long> buckets, long zero, long count, double sum) {
    Histogram.Builder h = Histogram.newBuilder().setSchema(3).setZeroThreshold(ZERO_THRESHOLD).setZeroCountInt(zero)
        .setCountInt(count).setSum(sum);
    Integer last = null;
    int spanStart = 0;
    int len = 0;
    int prevEnd = 0;
    long prev = 0;
    for (var e : buckets.entrySet()) {
      int idx = e.getKey();
      if (last != null && idx - last <= 3) {
        for (int k = last + 1; k < idx; k++) {
          h.addPositiveDeltas(-prev);
          prev = 0;
          len++;
        }
      } else {
        if (last != null) {
          h.addPositiveSpans(BucketSpan.newBuilder().setOffset(spanStart - prevEnd).setLength(len));
          prevEnd = spanStart + len;
        }
        spanStart = idx;
        len = 0;
      }
      h.addPositiveDeltas(e.getValue() - prev);
      prev = e.getValue();
      len++;
      last = idx;
    }
    if (last != null) {
      h.addPositiveSpans(BucketSpan.newBuilder().setOffset(spanStart - prevEnd).setLength(len));
    }
    return h.build();
  }

  /** Every series' samples from index {@code from} (inclusive) to {@code to} (exclusive), as one request. */
  WriteRequest request(int from, int to) {
    WriteRequest.Builder req = WriteRequest.newBuilder();
    for (int s = 0; s < labels.size(); s++) {
      TimeSeries.Builder ts = TimeSeries.newBuilder();
      List<String> l = labels.get(s);
      for (int i = 0; i < l.size(); i += 2) {
        ts.addLabels(Label.newBuilder().setName(l.get(i)).setValue(l.get(i + 1)));
      }
      for (int i = from; i < Math.min(to, samples.get(s).length); i++) {
        ts.addHistograms(samples.get(s)[i].toBuilder().setTimestamp(start + i * 15_000L));
      }
      req.addTimeseries(ts);
    }
    return req.build();
  }

  int series() {
    return labels.size();
  }
}
