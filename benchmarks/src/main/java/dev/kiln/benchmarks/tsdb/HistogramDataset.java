package dev.kiln.benchmarks.tsdb;

import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Realistic exponential native histograms, as client_golang exposes a request-latency histogram
 * with its default bucket factor 1.1 (schema 3) and zero threshold 2^-128: per 15 s scrape a
 * Poisson-like number of observations (mean 20 to 2000 per series) drawn from a log-normal latency
 * distribution (median 5 to 200 ms), accumulated as counters. Buckets appear as the tail fills in,
 * so the bucket layout widens now and then (chunk recoding), as in production. Spans are built as
 * client_golang does: runs of populated buckets, with gaps of up to 2 empty buckets kept inside a
 * span. Deterministic for a seed.
 */
public final class HistogramDataset {
  private HistogramDataset() {}

  /** One series' successive cumulative histograms. */
  public static final class Stream {
    private final Random r;
    private final double mu;
    private final double sigma;
    private final int rate;
    private final TreeMap<Integer, Long> buckets = new TreeMap<>();
    private long zero;
    private long count;
    private double sum;
    private long t;

    public Stream(long seed, long startMillis) {
      r = new Random(seed);
      double medianSeconds = 0.005 * Math.pow(40, r.nextDouble());
      mu = Math.log(medianSeconds);
      sigma = 0.4 + r.nextDouble() * 0.8;
      rate = 20 + (int) (1980 * Math.pow(r.nextDouble(), 2));
      t = startMillis;
    }

    public long timestamp() {
      return t;
    }

    /** Advances one scrape and returns the histogram (a new instance). */
    public Histogram next() {
      int n = Math.max(0, (int) Math.round(rate + Math.sqrt(rate) * r.nextGaussian()));
      for (int i = 0; i < n; i++) {
        double v = Math.exp(mu + sigma * r.nextGaussian());
        count++;
        sum += v;
        if (v <= Math.scalb(1.0, -128)) {
          zero++;
        } else {
          buckets.merge(index(v, 3), 1L, Long::sum);
        }
      }
      t += 15_000;
      return build();
    }

    /** Prometheus's bucket index of a positive value for an exponential schema. */
    static int index(double v, int schema) {
      return (int) Math.ceil(Math.log(v) / Math.log(2) * (1 << schema));
    }

    private Histogram build() {
      Histogram h = new Histogram();
      h.schema = 3;
      h.zeroThreshold = Math.scalb(1.0, -128);
      h.zeroCount = zero;
      h.count = count;
      h.sum = sum;
      List<Span> spans = new ArrayList<>();
      List<Long> counts = new ArrayList<>();
      Integer last = null;
      int start = 0;
      int len = 0;
      int prevEnd = 0;
      for (var e : buckets.entrySet()) {
        int idx = e.getKey();
        if (last != null && idx - last <= 3) {
          for (int k = last + 1; k < idx; k++) {
            counts.add(0L);
            len++;
          }
        } else {
          if (last != null) {
            spans.add(new Span(start - prevEnd, len));
            prevEnd = start + len;
          }
          start = idx;
          len = 0;
        }
        counts.add(e.getValue());
        len++;
        last = idx;
      }
      if (last != null) {
        spans.add(new Span(start - prevEnd, len));
      }
      h.positiveSpans = spans.toArray(new Span[0]);
      h.positiveBuckets = new long[counts.size()];
      long prev = 0;
      for (int i = 0; i < counts.size(); i++) {
        h.positiveBuckets[i] = counts.get(i) - prev;
        prev = counts.get(i);
      }
      return h;
    }
  }
}
