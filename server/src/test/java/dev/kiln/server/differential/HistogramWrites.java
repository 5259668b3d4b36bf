package dev.kiln.server.differential;

import dev.kiln.server.remotewrite.proto.v1.BucketSpan;
import dev.kiln.server.remotewrite.proto.v1.Histogram;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import java.util.Random;
import org.xerial.snappy.Snappy;

/**
 * A remote write 1.0 request mixing native histograms and floats, for tests that give two servers
 * the same data: seeded random integer histograms (counters, growing), float histograms, a gauge
 * histogram with negative buckets (all counters grow: no counter resets), and float series (one ending in a stale marker), {@code n}
 * samples each, 15 s apart, ending at {@code end}. Every series has {@code source="<source>"}.
 */
final class HistogramWrites {
  private HistogramWrites() {}

  static byte[] request(String source, long end, int n, long seed) throws Exception {
    Random rnd = new Random(seed);
    WriteRequest.Builder req = WriteRequest.newBuilder();
    for (int s = 0; s < 3; s++) {
      TimeSeries.Builder ts = series("rpc_duration_seconds", source, "svc", "s" + s);
      long[] counts = new long[4 + s];
      long zero = 0;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        long total = 0;
        for (int b = 0; b < counts.length; b++) {
          counts[b] += rnd.nextInt(5);
          total += counts[b];
        }
        zero += rnd.nextInt(2);
        sum += rnd.nextInt(1000) / 8.0;
        Histogram.Builder h = Histogram.newBuilder().setCountInt(total + zero).setSum(sum).setSchema(s - 1)
            .setZeroThreshold(0.001).setZeroCountInt(zero).setTimestamp(end - (n - 1 - i) * 15_000L)
            .addPositiveSpans(BucketSpan.newBuilder().setOffset(-1).setLength(2))
            .addPositiveSpans(BucketSpan.newBuilder().setOffset(1).setLength(counts.length - 2));
        long prev = 0;
        for (long c : counts) {
          h.addPositiveDeltas(c - prev);
          prev = c;
        }
        ts.addHistograms(h);
      }
      req.addTimeseries(ts);
    }
    TimeSeries.Builder fts = series("queue_fill_ratio", source, "kind", "float");
    TimeSeries.Builder gts = series("temperature_celsius", source, "kind", "gauge");
    double a = 0;
    double b = 0;
    double fsum = 0;
    for (int i = 0; i < n; i++) {
      long t = end - (n - 1 - i) * 15_000L;
      a += rnd.nextInt(100) / 4.0;
      b += rnd.nextInt(100) / 2.0;
      fsum += rnd.nextInt(500) / 3.0;
      fts.addHistograms(Histogram.newBuilder().setCountFloat(a + b + 0.5).setSum(fsum).setSchema(0)
          .setZeroThreshold(1e-128).setZeroCountFloat(0.5).setTimestamp(t)
          .addPositiveSpans(BucketSpan.newBuilder().setOffset(1).setLength(2)).addPositiveCounts(a).addPositiveCounts(b));
      long neg = rnd.nextInt(9);
      long pos = rnd.nextInt(9);
      gts.addHistograms(Histogram.newBuilder().setCountInt(neg + pos).setSum(pos - neg * 0.5).setSchema(2)
          .setZeroThreshold(0).setZeroCountInt(0).setResetHint(3).setTimestamp(t)
          .addNegativeSpans(BucketSpan.newBuilder().setOffset(2).setLength(1)).addNegativeDeltas(neg)
          .addPositiveSpans(BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDeltas(pos));
    }
    req.addTimeseries(fts).addTimeseries(gts);
    TimeSeries.Builder up = series("jobs_done_total", source, "k", "a");
    TimeSeries.Builder gone = series("jobs_done_total", source, "k", "stale");
    for (int i = 0; i < n; i++) {
      long t = end - (n - 1 - i) * 15_000L;
      up.addSamples(Sample.newBuilder().setTimestamp(t).setValue(i * 3 + rnd.nextInt(3)));
      gone.addSamples(Sample.newBuilder().setTimestamp(t).setValue(i == n - 1 ? RemoteWriteRequests.STALE_NAN : i));
    }
    req.addTimeseries(up).addTimeseries(gone);
    return Snappy.compress(req.build().toByteArray());
  }

  private static TimeSeries.Builder series(String name, String source, String k, String v) {
    String[][] pairs = {{"__name__", name}, {k, v}, {"source", source}};
    java.util.Arrays.sort(pairs, (x, y) -> x[0].compareTo(y[0]));
    TimeSeries.Builder b = TimeSeries.newBuilder();
    for (String[] p : pairs) {
      b.addLabels(Label.newBuilder().setName(p[0]).setValue(p[1]));
    }
    return b;
  }
}
