package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.Interval;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deleted intervals of head series, by labels (the head itself keeps no tombstones). They are
 * logged to the WAL by the caller, applied to head reads by {@link #filter(Querier)}, and dropped
 * from the data when the head range is written as a block. Thread-safe (copy on write).
 */
public final class HeadTombstones {
  private volatile Map<Labels, List<Interval>> bySeries = Map.of();

  public synchronized void add(Labels labels, Interval iv) {
    Map<Labels, List<Interval>> m = new HashMap<>(bySeries);
    List<Interval> l = new ArrayList<>(m.getOrDefault(labels, List.of()));
    l.add(iv);
    m.put(labels, List.copyOf(Interval.union(l)));
    bySeries = Map.copyOf(m);
  }

  /** Deleted intervals of the series, sorted; empty when none. */
  public List<Interval> get(Labels labels) {
    return bySeries.getOrDefault(labels, List.of());
  }

  public boolean isEmpty() {
    return bySeries.isEmpty();
  }

  /** Forgets intervals that end before {@code mint} (the head no longer holds that data). */
  public synchronized void dropBefore(long mint) {
    Map<Labels, List<Interval>> m = new HashMap<>();
    bySeries.forEach((k, v) -> {
      List<Interval> keep = v.stream().filter(iv -> iv.maxTime() >= mint).toList();
      if (!keep.isEmpty()) {
        m.put(k, keep);
      }
    });
    bySeries = Map.copyOf(m);
  }

  /** A querier that hides deleted samples of the given querier (and series left empty). */
  public Querier filter(Querier q) {
    Map<Labels, List<Interval>> snapshot = bySeries;
    if (snapshot.isEmpty()) {
      return q;
    }
    return new Querier() {
      @Override
      public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
        SeriesSet in = q.select(sorted, hints, matchers);
        return new SeriesSet() {
          private Series cur;

          @Override
          public boolean next() {
            while (in.next()) {
              Series s = in.at();
              List<Interval> deleted = snapshot.get(s.labels());
              if (deleted == null) {
                cur = s;
                return true;
              }
              Series f = new Series() {
                @Override
                public Labels labels() {
                  return s.labels();
                }

                @Override
                public SampleIterator iterator(SampleIterator reuse) {
                  return new Filtered(s.iterator(null), deleted);
                }

                /** The chunks, each one with deleted samples as its time range alone. */
                @Override
                public List<dev.kiln.tsdb.storage.StoredChunk> storedChunks() {
                  List<dev.kiln.tsdb.storage.StoredChunk> in = s.storedChunks();
                  if (in == null) {
                    return null;
                  }
                  List<dev.kiln.tsdb.storage.StoredChunk> out = new java.util.ArrayList<>(in.size());
                  for (dev.kiln.tsdb.storage.StoredChunk c : in) {
                    boolean hit = false;
                    for (Interval iv : deleted) {
                      hit |= iv.minTime() <= c.maxTime() && c.minTime() <= iv.maxTime();
                    }
                    out.add(hit ? new dev.kiln.tsdb.storage.StoredChunk(c.minTime(), c.maxTime(), null, null) : c);
                  }
                  return out;
                }
              };
              if (f.iterator(null).next() != ValueType.NONE) {
                cur = f;
                return true;
              }
            }
            return false;
          }

          @Override
          public Series at() {
            return cur;
          }

          @Override
          public List<String> warnings() {
            return in.warnings();
          }
        };
      }

      /** As the filtered querier: the filter reads only the immutable snapshot of deletions. */
      @Override
      public boolean concurrentSelect() {
        return q.concurrentSelect();
      }

      @Override
      public List<String> labelNames(LabelMatcher... matchers) {
        return q.labelNames(matchers);
      }

      @Override
      public List<String> labelValues(String name, LabelMatcher... matchers) {
        return q.labelValues(name, matchers);
      }

      @Override
      public void close() {
        q.close();
      }
    };
  }

  /** Skips samples inside deleted intervals. */
  private static final class Filtered implements SampleIterator {
    private final SampleIterator in;
    private final List<Interval> deleted;

    Filtered(SampleIterator in, List<Interval> deleted) {
      this.in = in;
      this.deleted = deleted;
    }

    /** Whether {@code in} is on a sample this iterator returned. */
    private boolean on;

    private ValueType skip(ValueType vt) {
      while (vt != ValueType.NONE && Interval.anyContains(deleted, in.atT())) {
        vt = in.next();
      }
      on = vt != ValueType.NONE;
      return vt;
    }

    /** Reads on in bulk up to the first deleted interval after the current sample. */
    @Override
    public int nextFloats(long maxt, long[] ts, double[] vs, int off, int len) {
      if (!on) {
        return 0;
      }
      long t = in.atT();
      long until = maxt;
      for (Interval iv : deleted) {
        if (iv.maxTime() > t) {
          // Sorted and not containing t, so this interval starts after t.
          until = Math.min(until, iv.minTime() - 1);
          break;
        }
      }
      return in.nextFloats(until, ts, vs, off, len);
    }

    @Override
    public ValueType next() {
      return skip(in.next());
    }

    @Override
    public ValueType seek(long t) {
      return skip(in.seek(t));
    }

    @Override
    public long atT() {
      return in.atT();
    }

    @Override
    public double atV() {
      return in.atV();
    }

    @Override
    public dev.kiln.tsdb.histogram.Histogram atHistogram(dev.kiln.tsdb.histogram.Histogram reuse) {
      return in.atHistogram(reuse);
    }

    @Override
    public dev.kiln.tsdb.histogram.FloatHistogram atFloatHistogram(
        dev.kiln.tsdb.histogram.FloatHistogram reuse) {
      return in.atFloatHistogram(reuse);
    }
  }
}
