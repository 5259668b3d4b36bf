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
 * A batch of samples for the {@link Head}. Checks each sample when appended (out of bounds, out
 * of order, duplicate timestamp with another value, as Prometheus), writes the batch to the
 * {@link CommitLog} on commit, waits until it is durable, then applies it to memory. Single-use,
 * single-thread.
 */
final class HeadAppender implements Appender {
  private final Head head;
  private final long minValidTime;
  private MemSeries[] series = new MemSeries[16];
  private long[] ts = new long[16];
  private double[] vs = new double[16];
  private int n;
  /** Newest pending sample per series, as an index into the arrays. */
  private final Map<MemSeries, Integer> lastPending = new IdentityHashMap<>();
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
      throw new AppendException(
          AppendException.Reason.OUT_OF_BOUNDS,
          "timestamp " + t + " is before the head's minimum valid time " + minValidTime);
    }
    MemSeries s;
    while (true) {
      s = resolve(ref, labels);
      Integer pending = lastPending.get(s);
      if (pending != null) {
        int i = pending;
        if (!MemSeries.checkAgainst(t, v, ts[i], Double.doubleToRawLongBits(vs[i]), false)) {
          return s.ref;
        }
        break;
      }
      synchronized (s) {
        if (s.removed) {
          // Garbage-collected meanwhile: start a new series with the same labels.
          labels = s.labels;
          ref = 0;
          continue;
        }
        if (!s.checkAppendable(t, v)) {
          return s.ref;
        }
        s.pendingCommits++;
      }
      break;
    }
    if (n == ts.length) {
      int cap = n * 2;
      series = Arrays.copyOf(series, cap);
      ts = Arrays.copyOf(ts, cap);
      vs = Arrays.copyOf(vs, cap);
    }
    series[n] = s;
    ts[n] = t;
    vs[n] = v;
    lastPending.put(s, n);
    n++;
    return s.ref;
  }

  private MemSeries resolve(long ref, Labels labels) {
    if (ref != 0) {
      MemSeries s = head.seriesByRef(ref);
      if (s != null && (labels == null || s.labels.equals(labels))) {
        return s;
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
      return;
    }
    try {
      long[] refs = new long[n];
      for (int i = 0; i < n; i++) {
        refs[i] = series[i].ref;
      }
      long token;
      head.logLock.lock();
      try {
        List<CommitLog.SeriesEntry> fresh = new ArrayList<>();
        for (MemSeries s : lastPending.keySet()) {
          synchronized (s) {
            if (!s.logged) {
              fresh.add(new CommitLog.SeriesEntry(s.ref, s.labels));
            }
          }
        }
        fresh.sort((a, b) -> Long.compare(a.ref(), b.ref()));
        token = head.log().write(fresh, refs, ts, vs, n);
        for (MemSeries s : lastPending.keySet()) {
          synchronized (s) {
            s.logged = true;
          }
        }
      } finally {
        head.logLock.unlock();
      }
      head.log().awaitDurable(token);
      apply();
    } finally {
      release();
    }
  }

  private void apply() {
    HeadOptions opts = head.options();
    ChunkStore store = head.store();
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    head.isolation.readLock().lock();
    try {
      for (int i = 0; i < n; i++) {
        MemSeries s = series[i];
        boolean newlyIndexed = false;
        synchronized (s) {
          if (s.append(ts[i], vs[i], opts, store)) {
            mint = Math.min(mint, ts[i]);
            maxt = Math.max(maxt, ts[i]);
            if (!s.indexed) {
              s.indexed = true;
              newlyIndexed = true;
            }
          }
        }
        if (newlyIndexed) {
          head.index(s);
        }
      }
      if (mint != Long.MAX_VALUE) {
        head.updateTimeBounds(mint, maxt);
      }
    } finally {
      head.isolation.readLock().unlock();
    }
  }

  private void release() {
    for (MemSeries s : lastPending.keySet()) {
      synchronized (s) {
        s.pendingCommits--;
      }
    }
    lastPending.clear();
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
