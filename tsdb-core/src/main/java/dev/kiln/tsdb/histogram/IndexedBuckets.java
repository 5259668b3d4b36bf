package dev.kiln.tsdb.histogram;

import java.util.Arrays;

/**
 * One side of a histogram decoded into parallel arrays of absolute bucket indices (ascending) and
 * counts: the working form of the bucket operations (adding, merging to a lower schema, compacting),
 * which then encode the result back into spans.
 */
final class IndexedBuckets {
  static final Span[] NO_SPANS = new Span[0];
  static final double[] NO_BUCKETS = new double[0];

  int[] idx;
  double[] cnt;
  int n;

  IndexedBuckets(int capacity) {
    idx = new int[Math.max(capacity, 1)];
    cnt = new double[Math.max(capacity, 1)];
  }

  static IndexedBuckets decode(Span[] spans, double[] buckets) {
    IndexedBuckets out = new IndexedBuckets(buckets.length);
    int bi = 0;
    int index = 0;
    for (int s = 0; s < spans.length; s++) {
      index += spans[s].offset();
      for (int j = 0; j < spans[s].length() && bi < buckets.length; j++) {
        out.add(index++, buckets[bi++]);
      }
    }
    return out;
  }

  void add(int index, double count) {
    if (n == idx.length) {
      idx = Arrays.copyOf(idx, n * 2);
      cnt = Arrays.copyOf(cnt, n * 2);
    }
    idx[n] = index;
    cnt[n] = count;
    n++;
  }

  /** Merges buckets into {@code targetSchema} (≤ {@code schema}), summing counts. */
  IndexedBuckets reduce(int schema, int targetSchema) {
    if (schema == targetSchema) {
      return this;
    }
    IndexedBuckets out = new IndexedBuckets(n);
    for (int i = 0; i < n; i++) {
      int t = Schemas.targetIndex(idx[i], schema, targetSchema);
      if (out.n > 0 && out.idx[out.n - 1] == t) {
        out.cnt[out.n - 1] += cnt[i];
      } else {
        out.add(t, cnt[i]);
      }
    }
    return out;
  }

  /**
   * Adds (or subtracts) {@code other}, ignoring its leading buckets whose absolute upper bound is
   * ≤ {@code threshold} in an exponential schema (they are in the zero bucket already).
   */
  IndexedBuckets plus(IndexedBuckets other, int schema, double threshold, boolean negative) {
    int start = 0;
    if (Schemas.isExponential(schema)) {
      while (start < other.n && Schemas.exponentialBound(other.idx[start], schema) <= threshold) {
        start++;
      }
    }
    IndexedBuckets out = new IndexedBuckets(n + other.n - start);
    int i = 0;
    int j = start;
    while (i < n || j < other.n) {
      if (j >= other.n || (i < n && idx[i] < other.idx[j])) {
        out.add(idx[i], cnt[i]);
        i++;
      } else {
        double b = negative ? -other.cnt[j] : other.cnt[j];
        if (i < n && idx[i] == other.idx[j]) {
          out.add(idx[i], cnt[i] + b);
          i++;
        } else {
          out.add(other.idx[j], b);
        }
        j++;
      }
    }
    return out;
  }

  /** Drops empty buckets, keeping runs of up to {@code maxEmptyBuckets} empty ones inside a span. */
  IndexedBuckets compact(int maxEmptyBuckets) {
    IndexedBuckets out = new IndexedBuckets(n);
    for (int i = 0; i < n; i++) {
      if (cnt[i] == 0) {
        continue;
      }
      if (out.n > 0) {
        long gap = (long) idx[i] - out.idx[out.n - 1] - 1;
        if (gap > 0 && gap <= maxEmptyBuckets) {
          for (int k = out.idx[out.n - 1] + 1; k < idx[i]; k++) {
            out.add(k, 0);
          }
        }
      }
      out.add(idx[i], cnt[i]);
    }
    return out;
  }

  Span[] spans() {
    if (n == 0) {
      return NO_SPANS;
    }
    int count = 1;
    for (int i = 1; i < n; i++) {
      if (idx[i] != idx[i - 1] + 1) {
        count++;
      }
    }
    Span[] spans = new Span[count];
    int s = 0;
    int start = 0;
    int prevEnd = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || idx[i] != idx[i - 1] + 1) {
        int offset = s == 0 ? idx[start] : idx[start] - prevEnd - 1;
        spans[s++] = new Span(offset, i - start);
        prevEnd = idx[i - 1];
        start = i;
      }
    }
    return spans;
  }

  double[] buckets() {
    return n == 0 ? NO_BUCKETS : Arrays.copyOf(cnt, n);
  }
}
