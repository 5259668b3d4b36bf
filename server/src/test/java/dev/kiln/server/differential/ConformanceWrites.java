package dev.kiln.server.differential;

import dev.kiln.promql.engine.conformance.ConformanceScripts.Block;
import dev.kiln.promql.engine.conformance.ConformanceScripts.Query;
import dev.kiln.server.remotewrite.proto.v1.BucketSpan;
import dev.kiln.server.remotewrite.proto.v1.Histogram;
import dev.kiln.server.remotewrite.proto.v1.Label;
import dev.kiln.server.remotewrite.proto.v1.Sample;
import dev.kiln.server.remotewrite.proto.v1.TimeSeries;
import dev.kiln.server.remotewrite.proto.v1.WriteRequest;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * Lays the blocks of Prometheus's PromQL test scripts out in time and remote-writes (1.0) their
 * data to servers. Each block gets its own stretch of time, a multiple of a day past the previous
 * one (so subquery steps keep their alignment), and its samples sit 1 ms before the script's grid.
 * Native histograms go out with the counter reset hint the script gives, as integer histograms where
 * every count is whole and the buckets hold exactly {@code count} observations (what both Prometheus
 * 2.42's and 3.x's integer-histogram validation accept), as float histograms otherwise (the scripts'
 * own form: Prometheus 3.x's test loader appends float histograms, whose validation leaves the count
 * unchecked). A request holds one kind of sample only
 * (floats, integer or float histograms) and at most one hour of data, and a series' samples go out
 * in time order, so neither server's head sees a sample behind its series' newest or far behind
 * its own newest.
 */
final class ConformanceWrites {
  static final long DAY = 86_400_000L;
  private static final long HOUR = 3_600_000L;

  /** A block and the time its script's zero is moved to. */
  record Placed(Block block, long base) {}

  /** What was sent: samples, histograms among them, and the requests some server did not take. */
  record Sent(int samples, int histograms, List<String> refused) {}

  private enum Kind { FLOAT, INTEGER_HISTOGRAM, FLOAT_HISTOGRAM }

  /** One run of a series' samples of one kind within one hour. */
  private record Run(int series, Kind kind, int from, int to) {}

  private ConformanceWrites() {}

  /** The blocks, each at its own base: the first at 100 days, each next 30 days past the last one's end. */
  static List<Placed> place(List<Block> blocks) {
    List<Placed> out = new ArrayList<>();
    long base = 100 * DAY;
    for (Block b : blocks) {
      long span = 0;
      for (var s : b.series()) {
        if (s.timestamps().length > 0) {
          span = Math.max(span, s.timestamps()[s.timestamps().length - 1]);
        }
      }
      for (Query q : b.queries()) {
        span = Math.max(span, q.end());
      }
      out.add(new Placed(b, base));
      base += (span / DAY + 30) * DAY;
    }
    return out;
  }

  /**
   * Sends the block's data to Prometheus and then to Kiln. A request Prometheus refuses is sent to
   * it again series by series, and Kiln gets only the parts Prometheus took, so both hold the same
   * data; every refusal (a series Prometheus refused, a request Kiln refused) is listed.
   */
  static Sent send(Placed p, ApiClient prom, ApiClient kil) throws Exception {
    Block b = p.block();
    List<Deque<Run>> pending = new ArrayList<>();
    int samples = 0;
    int histograms = 0;
    for (var s : b.series()) {
      Deque<Run> runs = new ArrayDeque<>();
      long[] ts = s.timestamps();
      int from = 0;
      while (from < ts.length) {
        Kind kind = kind(s.histograms()[from]);
        long hour = Math.floorDiv(p.base() + ts[from] - 1, HOUR);
        int to = from + 1;
        while (to < ts.length && kind(s.histograms()[to]) == kind && Math.floorDiv(p.base() + ts[to] - 1, HOUR) == hour) {
          to++;
        }
        runs.add(new Run(pending.size(), kind, from, to));
        from = to;
      }
      pending.add(runs);
      samples += ts.length;
      for (FloatHistogram h : s.histograms()) {
        histograms += h == null ? 0 : 1;
      }
    }
    // Hour by hour: the series' first pending runs of that hour, one request for each kind, until
    // none is left; a series' runs go out in order.
    TreeMap<Long, List<Integer>> byHour = new TreeMap<>();
    for (Deque<Run> runs : pending) {
      for (Run r : runs) {
        long hour = Math.floorDiv(p.base() + b.series().get(r.series()).timestamps()[r.from()] - 1, HOUR);
        List<Integer> l = byHour.computeIfAbsent(hour, h -> new ArrayList<>());
        if (!l.contains(r.series())) {
          l.add(r.series());
        }
      }
    }
    List<String> refused = new ArrayList<>();
    for (var e : byHour.entrySet()) {
      boolean more = true;
      while (more) {
        more = false;
        for (Kind kind : Kind.values()) {
          WriteRequest.Builder req = WriteRequest.newBuilder();
          for (int si : e.getValue()) {
            Run r = pending.get(si).peek();
            if (r == null || r.kind() != kind || hourOf(p, r) != e.getKey()) {
              continue;
            }
            pending.get(si).poll();
            req.addTimeseries(timeSeries(p, r));
            more = true;
          }
          if (req.getTimeseriesCount() == 0) {
            continue;
          }
          post(b, kind, req.build(), prom, kil, refused);
        }
      }
    }
    return new Sent(samples, histograms, refused);
  }

  private static void post(Block b, Kind kind, WriteRequest req, ApiClient prom, ApiClient kil, List<String> refused)
      throws Exception {
    String where = b.file() + ":" + b.line() + " " + kind + " ";
    List<WriteRequest> taken = new ArrayList<>();
    ApiClient.Answer a = prom.postBytes("/api/v1/write", RemoteWriteRequests.snappy(req), RemoteWriteRequests.V1_HEADERS);
    if (a.status() / 100 == 2) {
      taken.add(req);
    } else {
      for (TimeSeries ts : req.getTimeseriesList()) {
        WriteRequest one = WriteRequest.newBuilder().addTimeseries(ts).build();
        ApiClient.Answer single = prom.postBytes("/api/v1/write", RemoteWriteRequests.snappy(one), RemoteWriteRequests.V1_HEADERS);
        if (single.status() / 100 == 2) {
          taken.add(one);
        } else {
          refused.add(where + "series refused by Prometheus: " + single.status() + " " + single.raw().strip());
        }
      }
    }
    for (WriteRequest r : taken) {
      ApiClient.Answer k = kil.postBytes("/api/v1/write", RemoteWriteRequests.snappy(r), RemoteWriteRequests.V1_HEADERS);
      if (k.status() / 100 != 2) {
        refused.add(where + "request refused by Kiln: " + k.status() + " " + k.raw().strip());
      }
    }
  }

  private static long hourOf(Placed p, Run r) {
    return Math.floorDiv(p.base() + p.block().series().get(r.series()).timestamps()[r.from()] - 1, HOUR);
  }

  private static TimeSeries timeSeries(Placed p, Run r) {
    var s = p.block().series().get(r.series());
    TimeSeries.Builder ts = TimeSeries.newBuilder();
    for (int i = 0; i < s.labels().size(); i++) {
      ts.addLabels(Label.newBuilder().setName(s.labels().name(i)).setValue(s.labels().value(i)));
    }
    for (int i = r.from(); i < r.to(); i++) {
      long t = p.base() + s.timestamps()[i] - 1;
      FloatHistogram h = s.histograms()[i];
      if (h == null) {
        ts.addSamples(Sample.newBuilder().setTimestamp(t).setValue(s.values()[i]));
      } else {
        ts.addHistograms(histogram(h, t));
      }
    }
    return ts.build();
  }

  private static Kind kind(FloatHistogram h) {
    if (h == null) {
      return Kind.FLOAT;
    }
    return integer(h) ? Kind.INTEGER_HISTOGRAM : Kind.FLOAT_HISTOGRAM;
  }

  /**
   * Whether {@code h} goes out as an integer histogram: every count whole and non-negative, and the
   * buckets holding {@code count} observations.
   */
  static boolean integer(FloatHistogram h) {
    if (!whole(h.count) || !whole(h.zeroCount)) {
      return false;
    }
    double total = h.zeroCount;
    for (double[] buckets : new double[][] {h.positiveBuckets, h.negativeBuckets}) {
      for (double c : buckets) {
        if (!whole(c)) {
          return false;
        }
        total += c;
      }
    }
    return total == h.count;
  }

  private static boolean whole(double v) {
    return v >= 0 && v < 0x1p53 && v == Math.rint(v);
  }

  /** {@code h} at {@code t} as remote write 1.0 carries it: integer deltas or absolute float counts. */
  static Histogram histogram(FloatHistogram h, long t) {
    Histogram.Builder b = Histogram.newBuilder().setSum(h.sum).setSchema(h.schema).setZeroThreshold(h.zeroThreshold)
        .setResetHint(h.counterResetHint.ordinal()).setTimestamp(t);
    for (Span s : h.positiveSpans) {
      b.addPositiveSpans(BucketSpan.newBuilder().setOffset(s.offset()).setLength(s.length()));
    }
    for (Span s : h.negativeSpans) {
      b.addNegativeSpans(BucketSpan.newBuilder().setOffset(s.offset()).setLength(s.length()));
    }
    if (h.customValues != null) {
      for (double v : h.customValues) {
        b.addCustomValues(v);
      }
    }
    if (integer(h)) {
      b.setCountInt((long) h.count).setZeroCountInt((long) h.zeroCount);
      long prev = 0;
      for (double c : h.positiveBuckets) {
        b.addPositiveDeltas((long) c - prev);
        prev = (long) c;
      }
      prev = 0;
      for (double c : h.negativeBuckets) {
        b.addNegativeDeltas((long) c - prev);
        prev = (long) c;
      }
    } else {
      b.setCountFloat(h.count).setZeroCountFloat(h.zeroCount);
      for (double c : h.positiveBuckets) {
        b.addPositiveCounts(c);
      }
      for (double c : h.negativeBuckets) {
        b.addNegativeCounts(c);
      }
    }
    return b.build();
  }
}
