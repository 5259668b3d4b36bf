package dev.kiln.tsdb.chunk;

import dev.kiln.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bucket-layout comparisons behind the histogram chunks' appendability rules, ported from
 * Prometheus's {@code tsdb/chunkenc/histogram.go} ({@code expandIntSpansAndBuckets}),
 * {@code float_histogram.go} ({@code expandFloatSpansAndBuckets}) and {@code histogram_meta.go}
 * ({@code expandSpansBothWays}, {@code insert}, {@code adjustForInserts}).
 *
 * <p>An {@link Insert} says that {@code num} new (empty) buckets go before the {@code pos}-th
 * bucket of the original layout; {@code bucketIdx} is the absolute index of the first of them.
 */
final class SpanExpansion {
  private SpanExpansion() {}

  /** One run of buckets to insert. */
  static final class Insert {
    int pos;
    int num;
    int bucketIdx;

    Insert copy() {
      Insert c = new Insert();
      c.pos = pos;
      c.num = num;
      c.bucketIdx = bucketIdx;
      return c;
    }
  }

  /** Forward inserts (into the chunk) and backward inserts (into the new sample). */
  static final class Result {
    final List<Insert> forward;
    final List<Insert> backward;
    final Span[] merged;

    Result(List<Insert> forward, List<Insert> backward, Span[] merged) {
      this.forward = forward;
      this.backward = backward;
      this.merged = merged;
    }
  }

  /** Iterates the absolute bucket indices a span list covers. */
  private static final class Indices {
    private final Span[] spans;
    private int span;
    private int bucket = -1;
    private int idx = -1;
    int at;

    Indices(Span[] spans) {
      this.spans = spans;
      if (spans.length > 0) {
        idx += spans[0].offset();
      }
    }

    boolean next() {
      if (span >= spans.length) {
        return false;
      }
      if (bucket < spans[span].length() - 1) {
        bucket++;
        idx++;
        at = idx;
        return true;
      }
      while (span < spans.length - 1) {
        span++;
        idx += spans[span].offset() + 1;
        bucket = 0;
        if (spans[span].length() == 0) {
          idx--;
          continue;
        }
        at = idx;
        return true;
      }
      return false;
    }
  }

  /** Absolute counts (a running sum of deltas, or the values themselves) of bucket {@code i}. */
  private interface Counts {
    double at(int i);
  }

  /**
   * Compares the chunk's layout {@code a} (with absolute counts {@code aCounts}) against a new
   * sample's {@code b}: returns null on a counter reset (a used bucket disappeared or a count
   * went down), else the inserts that expand each to the union.
   */
  static Result expandInt(Span[] a, Span[] b, long[] aDeltas, long[] bDeltas) {
    return expand(a, b, runningSum(aDeltas), runningSum(bDeltas));
  }

  static Result expandFloat(Span[] a, Span[] b, double[] aCounts, double[] bCounts) {
    return expand(a, b, i -> aCounts[i], i -> bCounts[i]);
  }

  private static Counts runningSum(long[] deltas) {
    long[] abs = new long[deltas.length];
    long c = 0;
    for (int i = 0; i < deltas.length; i++) {
      c += deltas[i];
      abs[i] = c;
    }
    return i -> abs[i];
  }

  private static Result expand(Span[] a, Span[] b, Counts aCounts, Counts bCounts) {
    Indices ai = new Indices(a);
    Indices bi = new Indices(b);
    List<Insert> aInserts = new ArrayList<>();
    List<Insert> bInserts = new ArrayList<>();
    Insert aInter = new Insert();
    Insert bInter = new Insert();
    boolean aOk = ai.next();
    boolean bOk = bi.next();
    int aCountIdx = 0;
    int bCountIdx = 0;
    while (true) {
      if (aOk && bOk) {
        if (ai.at == bi.at) {
          if (aCounts.at(aCountIdx) > bCounts.at(bCountIdx)) {
            return null;
          }
          flush(aInserts, aInter);
          aOk = ai.next();
          aInter.pos++;
          aCountIdx++;
          flush(bInserts, bInter);
          bOk = bi.next();
          bInter.pos++;
          bCountIdx++;
        } else if (ai.at < bi.at) {
          if (aCounts.at(aCountIdx) != 0) {
            return null;
          }
          addInsert(bInserts, bInter, ai.at);
          flush(aInserts, aInter);
          aOk = ai.next();
          aInter.pos++;
          aCountIdx++;
        } else {
          addInsert(aInserts, aInter, bi.at);
          flush(bInserts, bInter);
          bOk = bi.next();
          bInter.pos++;
          bCountIdx++;
        }
      } else if (aOk) {
        if (aCounts.at(aCountIdx) != 0) {
          return null;
        }
        addInsert(bInserts, bInter, ai.at);
        flush(aInserts, aInter);
        aOk = ai.next();
        aInter.pos++;
        aCountIdx++;
      } else if (bOk) {
        addInsert(aInserts, aInter, bi.at);
        flush(bInserts, bInter);
        bOk = bi.next();
        bInter.pos++;
        bCountIdx++;
      } else {
        flush(aInserts, aInter);
        flush(bInserts, bInter);
        return new Result(aInserts, bInserts, null);
      }
    }
  }

  private static void flush(List<Insert> inserts, Insert inter) {
    if (inter.num > 0) {
      inserts.add(inter.copy());
      inter.num = 0;
    }
  }

  private static void addInsert(List<Insert> inserts, Insert insert, int otherIdx) {
    if (insert.num == 0) {
      insert.bucketIdx = otherIdx;
    } else if (insert.bucketIdx + insert.num != otherIdx) {
      inserts.add(insert.copy());
      insert.num = 0;
      insert.bucketIdx = otherIdx;
    }
    insert.num++;
  }

  /** Layout union for gauge histograms (no counter-reset checks). */
  static Result expandBothWays(Span[] a, Span[] b) {
    Indices ai = new Indices(a);
    Indices bi = new Indices(b);
    List<Insert> f = new ArrayList<>();
    List<Insert> bw = new ArrayList<>();
    SpanBuilder merged = new SpanBuilder();
    Insert fInter = new Insert();
    Insert bInter = new Insert();
    boolean aOk = ai.next();
    boolean bOk = bi.next();
    while (true) {
      if (aOk && bOk) {
        if (ai.at == bi.at) {
          flush(f, fInter);
          flush(bw, bInter);
          merged.add(ai.at);
          aOk = ai.next();
          bOk = bi.next();
          fInter.pos++;
          bInter.pos++;
        } else if (ai.at < bi.at) {
          bInter.num++;
          flush(f, fInter);
          merged.add(ai.at);
          fInter.pos++;
          aOk = ai.next();
        } else {
          fInter.num++;
          flush(bw, bInter);
          merged.add(bi.at);
          bInter.pos++;
          bOk = bi.next();
        }
      } else if (aOk) {
        bInter.num++;
        merged.add(ai.at);
        aOk = ai.next();
      } else if (bOk) {
        fInter.num++;
        merged.add(bi.at);
        bOk = bi.next();
      } else {
        flush(f, fInter);
        flush(bw, bInter);
        return new Result(f, bw, merged.spans());
      }
    }
  }

  /** Builds spans from ascending absolute bucket indices, as Prometheus's {@code addBucket}. */
  private static final class SpanBuilder {
    private final List<int[]> spans = new ArrayList<>();
    private int lastBucket;

    void add(int b) {
      int offset = b - lastBucket - 1;
      if (offset == 0 && !spans.isEmpty()) {
        spans.get(spans.size() - 1)[1]++;
      } else {
        if (spans.isEmpty()) {
          offset++;
        }
        spans.add(new int[] {offset, 1});
      }
      lastBucket = b;
    }

    Span[] spans() {
      Span[] out = new Span[spans.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = new Span(spans.get(i)[0], spans.get(i)[1]);
      }
      return out;
    }
  }

  /** The spans after inserting the buckets of {@code inserts} into {@code spans}. */
  static Span[] adjustForInserts(Span[] spans, List<Insert> inserts) {
    if (inserts.isEmpty()) {
      return spans;
    }
    Indices it = new Indices(spans);
    SpanBuilder merged = new SpanBuilder();
    int i = 0;
    int insertIdx = inserts.get(0).bucketIdx;
    int insertNum = inserts.get(0).num;
    boolean ok = it.next();
    while (ok || i < inserts.size()) {
      if (i < inserts.size() && (!ok || insertIdx < it.at)) {
        merged.add(insertIdx);
        insertNum--;
        if (insertNum == 0) {
          i++;
          if (i < inserts.size()) {
            insertIdx = inserts.get(i).bucketIdx;
            insertNum = inserts.get(i).num;
          }
        } else {
          insertIdx++;
        }
      } else {
        merged.add(it.at);
        ok = it.next();
      }
    }
    return merged.spans();
  }

  /** Deltas {@code in} with zero-count buckets inserted (Prometheus's {@code insert}, deltas). */
  static long[] insertDeltas(long[] in, int outLen, List<Insert> inserts) {
    return insertDeltas(in, outLen, inserts, null);
  }

  /** {@link #insertDeltas(long[], int, List)} into {@code reuse} when it has the right length. */
  static long[] insertDeltas(long[] in, int outLen, List<Insert> inserts, long[] reuse) {
    long[] out = reuse != null && reuse.length == outLen && reuse != in ? reuse : new long[outLen];
    Arrays.fill(out, 0);
    int oi = 0;
    long v = 0;
    int ii = 0;
    for (int i = 0; i < in.length; i++) {
      long d = in[i];
      if (ii >= inserts.size() || i != inserts.get(ii).pos) {
        out[oi++] = d;
        v += d;
        continue;
      }
      boolean first = true;
      while (ii < inserts.size() && i == inserts.get(ii).pos) {
        out[oi++] = first ? -v : 0;
        first = false;
        for (int x = 1; x < inserts.get(ii).num; x++) {
          out[oi++] = 0;
        }
        ii++;
      }
      out[oi++] = d + v;
      v += d;
    }
    while (ii < inserts.size()) {
      out[oi++] = -v;
      for (int x = 1; x < inserts.get(ii).num; x++) {
        out[oi++] = 0;
      }
      ii++;
      v = 0;
    }
    return out;
  }

  /** Absolute counts {@code in} with zero buckets inserted (Prometheus's {@code insert}, no deltas). */
  static double[] insertCounts(double[] in, int outLen, List<Insert> inserts) {
    return insertCounts(in, outLen, inserts, null);
  }

  /** {@link #insertCounts(double[], int, List)} into {@code reuse} when it has the right length. */
  static double[] insertCounts(double[] in, int outLen, List<Insert> inserts, double[] reuse) {
    double[] out = reuse != null && reuse.length == outLen && reuse != in ? reuse : new double[outLen];
    Arrays.fill(out, 0);
    int oi = 0;
    int ii = 0;
    for (int i = 0; i < in.length; i++) {
      while (ii < inserts.size() && i == inserts.get(ii).pos) {
        oi += inserts.get(ii).num;
        ii++;
      }
      out[oi++] = in[i];
    }
    return out; // trailing inserts stay 0
  }

  static boolean sameSpans(Span[] a, Span[] b) {
    return Arrays.equals(a, b);
  }
}
