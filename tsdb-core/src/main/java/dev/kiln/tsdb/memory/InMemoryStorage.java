package dev.kiln.tsdb.memory;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.HistogramException;
import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.ArrayHistogramSampleIterator;
import dev.kiln.tsdb.storage.ArraySampleIterator;
import dev.kiln.tsdb.storage.ListSeriesSet;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.Storage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deliberately simple, non-persistent storage: a sorted map of series to sample lists, guarded
 * by one lock. It is the reference oracle that randomized tests compare the real engine against,
 * and the store the PromQL conformance scripts load into. Not for production data volumes.
 *
 * <p>Follows the same append rules as the head: samples of a series must have increasing
 * timestamps; an equal timestamp with an identical value (bit for bit) is accepted and ignored.
 * Native histograms are stored as float histograms (integer ones converted) after validation.
 */
public final class InMemoryStorage implements Storage {
  private final TreeMap<Labels, SampleList> series = new TreeMap<>();
  private final Map<Long, Labels> refs = new HashMap<>();
  private final Map<Labels, Long> refByLabels = new HashMap<>();
  private long nextRef = 1;

  @Override
  public Appender appender() {
    return new MemoryAppender();
  }

  @Override
  public synchronized Querier querier(long mint, long maxt) {
    List<Series> snapshot = new ArrayList<>(series.size());
    for (Map.Entry<Labels, SampleList> e : series.entrySet()) {
      snapshot.add(e.getValue().slice(e.getKey(), mint, maxt));
    }
    return new SnapshotQuerier(snapshot);
  }

  /** Removes every series and sample (the {@code clear} command of PromQL test scripts). */
  public synchronized void clear() {
    series.clear();
    refs.clear();
    refByLabels.clear();
  }

  /** Number of series held. */
  public synchronized int seriesCount() {
    return series.size();
  }

  @Override
  public void close() {}

  private synchronized long resolveRef(long ref, Labels labels) {
    if (labels == null) {
      Labels known = refs.get(ref);
      if (known == null) {
        throw new AppendException(AppendException.Reason.INVALID_LABELS, "unknown series ref " + ref);
      }
      return ref;
    }
    Long r = refByLabels.get(labels);
    if (r == null) {
      r = nextRef++;
      refByLabels.put(labels, r);
      refs.put(r, labels);
    }
    return r;
  }

  /**
   * Checks a sample as Prometheus's head does: against the stored samples (throwing for out of
   * order or a conflicting duplicate; a histogram equals only an equal histogram), then against
   * the batch's own newest sample of the series, where a sample that is not newer is dropped
   * silently. Answers whether to keep it.
   */
  private synchronized boolean checkAppend(
      Labels labels, long t, double v, FloatHistogram h, Map<Labels, long[]> pendingLast) {
    SampleList list = series.get(labels);
    if (list != null && list.size > 0) {
      long lastT = list.ts[list.size - 1];
      if (t < lastT) {
        throw new AppendException(AppendException.Reason.OUT_OF_ORDER, labels.toString());
      }
      if (t == lastT) {
        FloatHistogram lastH = list.hs == null ? null : list.hs[list.size - 1];
        boolean same =
            h == null
                ? lastH == null
                    && Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(list.vs[list.size - 1])
                : h.equals(lastH);
        if (!same) {
          throw new AppendException(AppendException.Reason.DUPLICATE_SAMPLE, labels.toString());
        }
        return false;
      }
    }
    long[] pending = pendingLast.get(labels);
    return pending == null || t > pending[0];
  }

  private synchronized void apply(List<PendingSample> batch) {
    for (PendingSample s : batch) {
      SampleList list = series.computeIfAbsent(s.labels, l -> new SampleList());
      if (list.size > 0 && list.ts[list.size - 1] == s.t) {
        continue;
      }
      list.add(s.t, s.v, s.h);
    }
  }

  private record PendingSample(Labels labels, long t, double v, FloatHistogram h) {}

  private final class MemoryAppender implements Appender {
    private final List<PendingSample> batch = new ArrayList<>();
    private final Map<Labels, long[]> lastT = new HashMap<>();
    private boolean done;

    @Override
    public long append(long ref, Labels labels, long t, double v, AppendOptions options) {
      return add(ref, labels, t, v, null);
    }

    @Override
    public long appendHistogram(
        long ref, Labels labels, long t, Histogram h, FloatHistogram fh, AppendOptions options) {
      if ((h == null) == (fh == null)) {
        throw new IllegalArgumentException("exactly one of h and fh must be given");
      }
      try {
        if (h != null) {
          h.validate();
        } else {
          fh.validate();
        }
      } catch (HistogramException e) {
        throw new AppendException(AppendException.Reason.INVALID_HISTOGRAM, e.getMessage());
      }
      return add(ref, labels, t, 0, h != null ? h.toFloat(null) : fh);
    }

    private long add(long ref, Labels labels, long t, double v, FloatHistogram h) {
      if (done) {
        throw new IllegalStateException("appender already committed or rolled back");
      }
      long r = resolveRef(ref, labels);
      Labels l = labels != null ? labels : refsLookup(r);
      if (checkAppend(l, t, v, h, lastT)) {
        batch.add(new PendingSample(l, t, v, h));
        lastT.put(l, new long[] {t});
      }
      return r;
    }

    private Labels refsLookup(long r) {
      synchronized (InMemoryStorage.this) {
        return refs.get(r);
      }
    }

    @Override
    public void commit(dev.kiln.tsdb.storage.Durability durability) {
      done = true;
      apply(batch);
    }

    @Override
    public void rollback() {
      done = true;
      batch.clear();
    }
  }

  private static final class SampleList {
    long[] ts = new long[16];
    double[] vs = new double[16];
    /** Null until the first histogram sample arrives; then parallel to ts (null = float sample). */
    FloatHistogram[] hs;
    int size;

    void add(long t, double v, FloatHistogram h) {
      if (size == ts.length) {
        ts = Arrays.copyOf(ts, size * 2);
        vs = Arrays.copyOf(vs, size * 2);
        if (hs != null) {
          hs = Arrays.copyOf(hs, size * 2);
        }
      }
      if (h != null && hs == null) {
        hs = new FloatHistogram[ts.length];
      }
      ts[size] = t;
      vs[size] = v;
      if (hs != null) {
        hs[size] = h;
      }
      size++;
    }

    Series slice(Labels labels, long mint, long maxt) {
      int from = lowerBound(mint);
      int to = lowerBound(maxt == Long.MAX_VALUE ? maxt : maxt + 1);
      if (maxt == Long.MAX_VALUE) {
        to = size;
      }
      long[] t = Arrays.copyOfRange(ts, from, Math.max(from, to));
      double[] v = Arrays.copyOfRange(vs, from, Math.max(from, to));
      FloatHistogram[] h = hs == null ? null : Arrays.copyOfRange(hs, from, Math.max(from, to));
      return new Series() {
        @Override
        public Labels labels() {
          return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
          return h == null
              ? new ArraySampleIterator(t, v, t.length)
              : new ArrayHistogramSampleIterator(t, v, h, t.length);
        }
      };
    }

    private int lowerBound(long t) {
      int lo = 0;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (ts[mid] < t) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  private static final class SnapshotQuerier implements Querier {
    private final List<Series> all;

    SnapshotQuerier(List<Series> all) {
      this.all = all;
    }

    private List<Series> matching(LabelMatcher... matchers) {
      List<Series> out = new ArrayList<>();
      for (Series s : all) {
        if (matchesAll(s.labels(), matchers) && hasSamples(s)) {
          out.add(s);
        }
      }
      return out;
    }

    private static boolean hasSamples(Series s) {
      return s.iterator(null).next() != dev.kiln.tsdb.storage.ValueType.NONE;
    }

    private static boolean matchesAll(Labels l, LabelMatcher... matchers) {
      for (LabelMatcher m : matchers) {
        if (!m.matches(l)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
      return new ListSeriesSet(matching(matchers));
    }

    /** True: selections only read the snapshot taken when the querier was created. */
    @Override
    public boolean concurrentSelect() {
      return true;
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
      TreeSet<String> names = new TreeSet<>(Utf8Order.COMPARATOR);
      for (Series s : matching(matchers)) {
        names.addAll(s.labels().names());
      }
      return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
      TreeSet<String> values = new TreeSet<>(Utf8Order.COMPARATOR);
      for (Series s : matching(matchers)) {
        String v = s.labels().get(name);
        if (v != null) {
          values.add(v);
        }
      }
      return new ArrayList<>(values);
    }

    @Override
    public void close() {}
  }
}
