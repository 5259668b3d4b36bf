package dev.kiln.tsdb.head;

import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of samples for the {@link Head}. Checks each sample when appended against the stored
 * samples (out of bounds, out of order, duplicate timestamp with another value, as Prometheus);
 * a sample not newer than an earlier one of the same batch is dropped, as Prometheus's commit
 * drops it. Writes the batch to the
 * {@link CommitLog} on commit, waits until it is durable, then applies it to memory. Single-use,
 * single-thread.
 *
 * <p>The newest pending sample of each series is found through the series itself ({@code
 * pendingOwner}/{@code pendingIndex}, under the series lock); only when two appenders hold
 * samples of the same series does the second one fall back to a map.
 *
 * <p>The batch arrays come from the head on the first append and go back to it when the
 * appender is done, so steady scrapes reuse them instead of growing new ones.
 */
final class HeadAppender implements Appender {
  /** The arrays of one batch. */
  static final class Batch {
    MemSeries[] series = new MemSeries[16];
    long[] ts = new long[16];
    double[] vs = new double[16];
    long[] refs = new long[16];
  }

  private static final MemSeries[] NO_SERIES = new MemSeries[0];
  private static final long[] NO_LONGS = new long[0];
  private static final double[] NO_DOUBLES = new double[0];

  private final Head head;
  private final long minValidTime;
  private Batch batch;
  private MemSeries[] series = NO_SERIES;
  private long[] ts = NO_LONGS;
  private double[] vs = NO_DOUBLES;
  private int n;
  /** Newest pending sample of series owned by another appender. */
  private Map<MemSeries, Integer> overflow;
  private boolean done;

  HeadAppender(Head head, long minValidTime) {
    this.head = head;
    this.minValidTime = minValidTime;
  }

  @Override
  public long append(long ref, Labels labels, long t, double v, AppendOptions options) {
    if (done) {
      throw new IllegalStateException("appender already committed or rolled back");
    }
    if (t < minValidTime) {
      head.counters().outOfBounds.increment();
      throw new AppendException(
          AppendException.Reason.OUT_OF_BOUNDS,
          "timestamp " + t + " is before the head's minimum valid time " + minValidTime);
    }
    MemSeries s;
    while (true) {
      s = resolve(ref, labels);
      synchronized (s) {
        if (s.pendingOwner == this) {
          int i = s.pendingIndex;
          if (!appendableToStored(s, t, v) || !checked(t, v, ts[i], vs[i])) {
            return s.ref;
          }
          s.pendingIndex = n;
          break;
        }
        Integer pending = overflow == null ? null : overflow.get(s);
        if (pending != null) {
          int i = pending;
          if (!appendableToStored(s, t, v) || !checked(t, v, ts[i], vs[i])) {
            return s.ref;
          }
          overflow.put(s, n);
          break;
        }
        if (s.removed) {
          // Garbage-collected meanwhile: start a new series with the same labels.
          labels = s.labels;
          ref = 0;
          continue;
        }
        if (!appendableToStored(s, t, v)) {
          return s.ref;
        }
        s.pendingCommits++;
        if (s.pendingOwner == null) {
          s.pendingOwner = this;
          s.pendingIndex = n;
        } else {
          if (overflow == null) {
            overflow = new IdentityHashMap<>();
          }
          overflow.put(s, n);
        }
      }
      break;
    }
    if (n == ts.length) {
      grow();
    }
    series[n] = s;
    ts[n] = t;
    vs[n] = v;
    n++;
    return s.ref;
  }

  private void grow() {
    if (batch == null) {
      batch = head.takeBatch();
      series = batch.series;
      ts = batch.ts;
      vs = batch.vs;
      if (n < ts.length) {
        return;
      }
    }
    int cap = Math.max(16, n * 2);
    series = Arrays.copyOf(series, cap);
    ts = Arrays.copyOf(ts, cap);
    vs = Arrays.copyOf(vs, cap);
    batch.series = series;
    batch.ts = ts;
    batch.vs = vs;
  }

  /** Gives the batch arrays back to the head, without series references. */
  private void returnBatch(int used) {
    Batch b = batch;
    if (b == null) {
      return;
    }
    batch = null;
    Arrays.fill(b.series, 0, Math.min(used, b.series.length), null);
    series = NO_SERIES;
    ts = NO_LONGS;
    vs = NO_DOUBLES;
    head.returnBatch(b);
  }

  /**
   * Checks a sample against the stored (committed) samples of its series: throws for out of
   * order or a duplicate timestamp with another value, answers false for an identical sample.
   */
  private boolean appendableToStored(MemSeries s, long t, double v) {
    try {
      return s.checkAppendable(t, v);
    } catch (AppendException e) {
      head.counters().rejected(e.reason());
      throw e;
    }
  }

  /**
   * Checks a sample against the batch's pending newest sample of its series. As in Prometheus,
   * whose head checks appends against committed samples only and drops the rest at commit, a
   * sample not newer than an earlier one of the same batch is dropped silently (and counted),
   * not an error: the earlier sample wins.
   */
  private boolean checked(long t, double v, long lastT, double lastV) {
    if (t > lastT) {
      return true;
    }
    if (t < lastT || Double.doubleToRawLongBits(v) != Double.doubleToRawLongBits(lastV)) {
      head.counters().rejected(t < lastT ? AppendException.Reason.OUT_OF_ORDER : AppendException.Reason.DUPLICATE_SAMPLE);
    }
    return false;
  }

  private MemSeries resolve(long ref, Labels labels) {
    if (ref != 0) {
      MemSeries s = head.seriesByRef(ref);
      if (s != null) {
        if (labels == null || labels == s.labels || labels == s.matchedLabels) {
          return s;
        }
        if (s.labels.equals(labels)) {
          s.matchedLabels = labels;
          return s;
        }
      }
    }
    if (labels == null) {
      throw new AppendException(AppendException.Reason.INVALID_LABELS, "unknown series ref " + ref);
    }
    if (labels.isEmpty()) {
      throw new AppendException(AppendException.Reason.INVALID_LABELS, "empty label set");
    }
    return head.getOrCreate(labels);
  }

  @Override
  public void commit() {
    if (done) {
      throw new IllegalStateException("appender already committed or rolled back");
    }
    done = true;
    if (n == 0) {
      release();
      return;
    }
    boolean applied = false;
    try {
      long[] refs = batch.refs.length >= n ? batch.refs : (batch.refs = new long[ts.length]);
      for (int i = 0; i < n; i++) {
        refs[i] = series[i].ref;
      }
      long token = logBatch(refs);
      head.log().awaitDurable(token);
      if (head.hasCommitListeners()) {
        head.notifyCommitted(committedView());
      }
      apply();
      applied = true;
    } finally {
      if (!applied) {
        release();
      }
    }
  }

  private CommitListener.Batch committedView() {
    return new CommitListener.Batch() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public dev.kiln.tsdb.model.Labels labels(int i) {
        return series[i].labels;
      }

      @Override
      public long timestamp(int i) {
        return ts[i];
      }

      @Override
      public double value(int i) {
        return vs[i];
      }
    };
  }

  /** Writes series records for series the log has not seen, then the samples. */
  private long logBatch(long[] refs) {
    head.logLock.lock();
    try {
      List<MemSeries> fresh = null;
      for (int i = 0; i < n; i++) {
        MemSeries s = series[i];
        if (!s.logged) {
          if (fresh == null) {
            fresh = new ArrayList<>();
          }
          fresh.add(s);
          s.logged = true; // only written under the log lock; dedupes repeats in this batch
        }
      }
      List<CommitLog.SeriesEntry> entries = new ArrayList<>(fresh == null ? 0 : fresh.size());
      if (fresh != null) {
        fresh.sort((a, b) -> Long.compare(a.ref, b.ref));
        for (MemSeries s : fresh) {
          entries.add(new CommitLog.SeriesEntry(s.ref, s.labels));
        }
      }
      try {
        return head.log().write(entries, refs, ts, vs, n);
      } catch (RuntimeException e) {
        if (fresh != null) {
          for (MemSeries s : fresh) {
            s.logged = false;
          }
        }
        throw e;
      }
    } finally {
      head.logLock.unlock();
    }
  }

  /** Applies the batch to memory and releases the series, under the isolation lock. */
  private void apply() {
    HeadOptions opts = head.options();
    ChunkStore store = head.store();
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    int applied = 0;
    int newChunks = 0;
    head.isolation.readLock().lock();
    try {
      for (int i = 0; i < n; i++) {
        MemSeries s = series[i];
        boolean newlyIndexed = false;
        synchronized (s) {
          int r = s.append(ts[i], vs[i], opts, store);
          if (r != MemSeries.REJECTED) {
            applied++;
            if (r == MemSeries.APPENDED_NEW_CHUNK) {
              newChunks++;
            }
            mint = Math.min(mint, ts[i]);
            maxt = Math.max(maxt, ts[i]);
            if (!s.indexed) {
              s.indexed = true;
              newlyIndexed = true;
            }
          }
          if (s.pendingOwner == this && s.pendingIndex == i) {
            s.pendingOwner = null;
            s.pendingCommits--;
          }
        }
        if (newlyIndexed) {
          head.index(s);
        }
      }
      if (overflow != null) {
        for (MemSeries s : overflow.keySet()) {
          synchronized (s) {
            s.pendingCommits--;
          }
        }
        overflow = null;
      }
      if (mint != Long.MAX_VALUE) {
        head.updateTimeBounds(mint, maxt);
      }
    } finally {
      head.isolation.readLock().unlock();
      head.counters().samplesAppended.add(applied);
      head.counters().chunksCreated.add(newChunks);
    }
    returnBatch(n);
    n = 0;
  }

  /** Gives up the batch's hold on its series without applying anything. */
  private void release() {
    for (int i = 0; i < n; i++) {
      MemSeries s = series[i];
      synchronized (s) {
        if (s.pendingOwner == this && s.pendingIndex == i) {
          s.pendingOwner = null;
          s.pendingCommits--;
        }
      }
    }
    if (overflow != null) {
      for (MemSeries s : overflow.keySet()) {
        synchronized (s) {
          s.pendingCommits--;
        }
      }
      overflow = null;
    }
    returnBatch(n);
    n = 0;
  }

  @Override
  public void rollback() {
    if (done) {
      return;
    }
    done = true;
    release();
  }
}
