package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Reads several queriers (blocks and the head) as one. Series with equal labels are merged into
 * one series whose samples are the union by timestamp; where sources overlap and hold the same
 * timestamp, the earlier querier in the list wins. Label names and values are the sorted union.
 * Always returns series sorted by labels. Single-thread; closing closes every child. {@link
 * #select} may run on several threads at once when every child allows it (each call merges its
 * own sets).
 */
public final class MergeQuerier implements Querier {
  private final List<Querier> children;

  /** Takes ownership of the queriers, in order of precedence. */
  public MergeQuerier(List<Querier> children) {
    this.children = List.copyOf(children);
  }

  @Override
  public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
    if (children.size() == 1) {
      return children.get(0).select(sorted, hints, matchers);
    }
    List<SeriesSet> sets = new ArrayList<>(children.size());
    for (Querier q : children) {
      sets.add(q.select(true, hints, matchers));
    }
    return new MergedSeriesSet(sets);
  }

  /** True when every child's selections may run at once: the merge keeps no state of its own. */
  @Override
  public boolean concurrentSelect() {
    for (Querier q : children) {
      if (!q.concurrentSelect()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<String> labelNames(LabelMatcher... matchers) {
    TreeSet<String> out = new TreeSet<>(Utf8Order.COMPARATOR);
    for (Querier q : children) {
      out.addAll(q.labelNames(matchers));
    }
    return new ArrayList<>(out);
  }

  @Override
  public List<String> labelValues(String name, LabelMatcher... matchers) {
    TreeSet<String> out = new TreeSet<>(Utf8Order.COMPARATOR);
    for (Querier q : children) {
      out.addAll(q.labelValues(name, matchers));
    }
    return new ArrayList<>(out);
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (Querier q : children) {
      try {
        q.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** K-way merge of sorted series sets. */
  private static final class MergedSeriesSet implements SeriesSet {
    private record Head(Series series, int source) {}

    private final List<SeriesSet> sets;
    private final PriorityQueue<Head> heap;
    private Series current;

    MergedSeriesSet(List<SeriesSet> sets) {
      this.sets = sets;
      this.heap = new PriorityQueue<>((a, b) -> {
        int c = a.series.labels().compareTo(b.series.labels());
        return c != 0 ? c : Integer.compare(a.source, b.source);
      });
      for (int i = 0; i < sets.size(); i++) {
        advance(i);
      }
    }

    private void advance(int i) {
      if (sets.get(i).next()) {
        heap.add(new Head(sets.get(i).at(), i));
      }
    }

    @Override
    public boolean next() {
      Head h = heap.poll();
      if (h == null) {
        current = null;
        return false;
      }
      List<Series> same = new ArrayList<>(2);
      same.add(h.series);
      advance(h.source);
      while (!heap.isEmpty() && heap.peek().series.labels().equals(h.series.labels())) {
        Head o = heap.poll();
        same.add(o.series);
        advance(o.source);
      }
      current = same.size() == 1 ? same.get(0) : new MergedSeries(same);
      return true;
    }

    @Override
    public Series at() {
      return current;
    }

    @Override
    public List<String> warnings() {
      List<String> w = new ArrayList<>();
      for (SeriesSet s : sets) {
        w.addAll(s.warnings());
      }
      return w;
    }
  }

  /** One series present in several sources. */
  private static final class MergedSeries implements Series {
    private final List<Series> parts;

    MergedSeries(List<Series> parts) {
      this.parts = parts;
    }

    @Override
    public Labels labels() {
      return parts.get(0).labels();
    }

    /** The chunks of every part, oldest first; null when a part keeps no chunks. */
    @Override
    public List<dev.kiln.tsdb.storage.StoredChunk> storedChunks() {
      List<dev.kiln.tsdb.storage.StoredChunk> out = new ArrayList<>();
      for (Series p : parts) {
        List<dev.kiln.tsdb.storage.StoredChunk> c = p.storedChunks();
        if (c == null) {
          return null;
        }
        out.addAll(c);
      }
      out.sort(java.util.Comparator.comparingLong(dev.kiln.tsdb.storage.StoredChunk::minTime));
      return out;
    }

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
      SampleIterator[] its = new SampleIterator[parts.size()];
      SampleIterator[] old = reuse instanceof MergedSampleIterator m ? m.its : null;
      for (int i = 0; i < its.length; i++) {
        // The same source's iterator of the series before, if there is one.
        its[i] = parts.get(i).iterator(old != null && i < old.length ? old[i] : null);
      }
      return new MergedSampleIterator(its);
    }
  }

  /**
   * Union of sample iterators by timestamp; on equal timestamps the lowest index wins. While the
   * current iterator stays strictly before every other one (a block followed by the head, the
   * usual case), {@link #next} advances it alone without comparing the others.
   */
  static final class MergedSampleIterator implements SampleIterator {
    private final SampleIterator[] its;
    private final boolean[] live;
    private final ValueType[] types;
    private boolean started;
    private int cur = -1;
    /** Smallest timestamp among the live iterators other than {@code cur}. */
    private long othersMin = Long.MAX_VALUE;

    MergedSampleIterator(SampleIterator[] its) {
      this.its = its;
      this.live = new boolean[its.length];
      this.types = new ValueType[its.length];
    }

    private boolean advance(int i, ValueType vt) {
      types[i] = vt;
      return vt != ValueType.NONE;
    }

    private ValueType pick() {
      cur = -1;
      long best = Long.MAX_VALUE;
      long second = Long.MAX_VALUE;
      for (int i = 0; i < its.length; i++) {
        if (!live[i]) {
          continue;
        }
        long t = its[i].atT();
        if (cur < 0 || t < best) {
          if (cur >= 0) {
            second = Math.min(second, best);
          }
          best = t;
          cur = i;
        } else {
          second = Math.min(second, t);
        }
      }
      othersMin = second;
      return cur < 0 ? ValueType.NONE : types[cur];
    }

    @Override
    public ValueType next() {
      if (!started) {
        started = true;
        for (int i = 0; i < its.length; i++) {
          live[i] = advance(i, its[i].next());
        }
        return pick();
      }
      if (cur < 0) {
        return ValueType.NONE;
      }
      SampleIterator c = its[cur];
      if (c.atT() < othersMin) {
        // No other iterator is at this timestamp: only the current one moves.
        ValueType vt = c.next();
        live[cur] = advance(cur, vt);
        if (vt != ValueType.NONE && c.atT() < othersMin) {
          return vt;
        }
        return pick();
      }
      long t = c.atT();
      for (int i = 0; i < its.length; i++) {
        if (live[i] && its[i].atT() == t) {
          live[i] = advance(i, its[i].next());
        }
      }
      return pick();
    }

    @Override
    public ValueType seek(long t) {
      if (started && cur < 0) {
        return ValueType.NONE;
      }
      if (started && its[cur].atT() >= t) {
        return types[cur];
      }
      started = true;
      for (int i = 0; i < its.length; i++) {
        live[i] = advance(i, its[i].seek(t));
      }
      return pick();
    }

    /**
     * Reads on in bulk from the current iterator while it stays strictly before every other one,
     * so the samples read are exactly those {@link #next} would return one by one.
     */
    @Override
    public int nextFloats(long maxt, long[] ts, double[] vs, int off, int len) {
      if (cur < 0 || types[cur] != ValueType.FLOAT) {
        return 0;
      }
      SampleIterator c = its[cur];
      if (c.atT() >= othersMin) {
        return 0;
      }
      return c.nextFloats(Math.min(maxt, othersMin - 1), ts, vs, off, len);
    }

    @Override
    public long atT() {
      return its[cur].atT();
    }

    @Override
    public double atV() {
      return its[cur].atV();
    }

    @Override
    public dev.kiln.tsdb.histogram.Histogram atHistogram(dev.kiln.tsdb.histogram.Histogram reuse) {
      return its[cur].atHistogram(reuse);
    }

    @Override
    public dev.kiln.tsdb.histogram.FloatHistogram atFloatHistogram(
        dev.kiln.tsdb.histogram.FloatHistogram reuse) {
      return its[cur].atFloatHistogram(reuse);
    }
  }
}
