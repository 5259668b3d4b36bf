package dev.kiln.tsdb.head;

import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.histogram.HistogramException;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import dev.kiln.tsdb.storage.AppendOptions;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.CommitListener;
import dev.kiln.tsdb.storage.Durability;
import dev.kiln.tsdb.wal.CommitLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of samples for the {@link Head}. Checks each sample when appended against the stored
 * samples (out of bounds, out of order, duplicate timestamp with another value, as Prometheus);
 * a sample not newer than an earlier one of the same batch is dropped, as Prometheus's commit
 * drops it. On commit, queues the batch to the {@link CommitLog}, applies it to memory while the
 * log writes it (and fsyncs it, where the commit's {@link Durability} asks), and returns once both
 * are done. Single-use, single-thread.
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
  private long[] refs = NO_LONGS;
  private long[] ts = NO_LONGS;
  private double[] vs = NO_DOUBLES;
  private int n;
  /**
   * Series of the batch that were not in the log when appended (a superset of those that still
   * are not at commit); null until the first. Only these are checked under the log lock.
   */
  private List<MemSeries> unlogged;
  /** Newest pending sample of series owned by another appender. */
  private Map<MemSeries, Integer> overflow;
  /** Native-histogram samples of the batch; null until the first one. */
  private PendingHistograms histograms;
  private boolean done;
  /** Where {@link #touchSeries} leaves its result, so that the reads are not optimized away. */
  private long touched;
  /** Exemplars of the batch with their series; null until the first. */
  private List<MemSeries> exemplarSeries;
  private List<dev.kiln.tsdb.storage.Exemplar> exemplars;

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
    if (Double.doubleToRawLongBits(v) == dev.kiln.tsdb.model.StaleNaN.BITS) {
      long r = staleMarkerOfHistogramSeries(ref, labels, t);
      if (r != 0) {
        return r;
      }
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
    refs[n] = s.ref;
    ts[n] = t;
    vs[n] = v;
    n++;
    if (!s.logged) {
      // Once set, the flag stays set: it is cleared again only after a failed commit, and a log
      // that failed refuses every later commit. So only these series need a look at commit.
      if (unlogged == null) {
        unlogged = new ArrayList<>();
      }
      unlogged.add(s);
    }
    return s.ref;
  }

  /**
   * Adds a native-histogram sample, checked as Prometheus's {@code AppendHistogram}: validated
   * (Prometheus's error texts), then out of bounds, out of order and duplicate checks against the
   * series and this batch. An exact duplicate of the newest sample is accepted and not stored.
   */
  @Override
  public long appendHistogram(long ref, Labels labels, long t, Histogram h, FloatHistogram fh,
      AppendOptions options) {
    if (done) {
      throw new IllegalStateException("appender already committed or rolled back");
    }
    if ((h == null) == (fh == null)) {
      throw new IllegalArgumentException("exactly one of the integer and float histogram must be given");
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
    if (t < minValidTime) {
      head.counters().outOfBounds.increment();
      throw new AppendException(
          AppendException.Reason.OUT_OF_BOUNDS,
          "timestamp " + t + " is before the head's minimum valid time " + minValidTime);
    }
    if (histograms == null) {
      histograms = new PendingHistograms();
    }
    MemSeries s;
    while (true) {
      s = resolve(ref, labels);
      synchronized (s) {
        Integer pending = histograms.newest.get(s);
        if (pending != null) {
          // Checked against the stored samples too; one not newer than the batch's own newest
          // sample of the series is dropped, as Prometheus drops it at commit.
          try {
            s.checkAppendableHistogram(t, h, fh);
          } catch (AppendException e) {
            head.counters().rejected(e.reason());
            throw e;
          }
          if (t <= histograms.ts[pending]) {
            return s.ref;
          }
          break;
        }
        if (s.removed) {
          labels = s.labels;
          ref = 0;
          continue;
        }
        boolean fresh;
        try {
          fresh = s.checkAppendableHistogram(t, h, fh);
        } catch (AppendException e) {
          head.counters().rejected(e.reason());
          throw e;
        }
        if (!fresh) {
          return s.ref;
        }
        s.pendingCommits++;
      }
      break;
    }
    histograms.add(s, t, h, fh);
    return s.ref;
  }

  /**
   * A float stale marker for a series whose newest sample is a histogram becomes a histogram
   * stale marker, as in Prometheus's {@code headAppender.Append}. Returns the series ref, or 0 when
   * the series does not end in a histogram (the caller appends a float stale marker).
   */
  private long staleMarkerOfHistogramSeries(long ref, Labels labels, long t) {
    MemSeries s = resolve(ref, labels);
    boolean integer;
    synchronized (s) {
      Integer pending = histograms == null ? null : histograms.newest.get(s);
      if (pending != null) {
        integer = histograms.hs[pending] != null;
      } else {
        int kind = s.lastHistogramKind();
        if (kind == 0) {
          return 0;
        }
        integer = kind == 1;
      }
    }
    if (integer) {
      Histogram h = new Histogram();
      h.sum = dev.kiln.tsdb.model.StaleNaN.VALUE;
      return appendHistogram(s.ref, s.labels, t, h, null, AppendOptions.NONE);
    }
    FloatHistogram fh = new FloatHistogram();
    fh.sum = dev.kiln.tsdb.model.StaleNaN.VALUE;
    return appendHistogram(s.ref, s.labels, t, null, fh, AppendOptions.NONE);
  }

  private void grow() {
    if (batch == null) {
      batch = head.takeBatch();
      series = batch.series;
      refs = batch.refs;
      ts = batch.ts;
      vs = batch.vs;
      if (n < ts.length) {
        return;
      }
    }
    int cap = Math.max(16, n * 2);
    series = Arrays.copyOf(series, cap);
    refs = Arrays.copyOf(refs, cap);
    ts = Arrays.copyOf(ts, cap);
    vs = Arrays.copyOf(vs, cap);
    batch.series = series;
    batch.refs = refs;
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
    refs = NO_LONGS;
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

  @Override
  public long appendExemplar(long ref, Labels labels, dev.kiln.tsdb.storage.Exemplar e) {
    if (done) {
      throw new IllegalStateException("appender already committed or rolled back");
    }
    CircularExemplarStorage store = head.exemplars();
    if (!store.enabled()) {
      return 0;
    }
    MemSeries s = ref != 0 ? head.seriesByRef(ref) : null;
    if (s == null && labels != null) {
      s = head.existing(labels);
    }
    if (s == null) {
      throw new dev.kiln.tsdb.storage.ExemplarException(dev.kiln.tsdb.storage.ExemplarException.Reason.UNKNOWN_SERIES);
    }
    dev.kiln.tsdb.storage.Exemplar clean = e.withoutEmptyLabels();
    if (!store.validate(s.labels, clean)) {
      return 0;
    }
    if (exemplars == null) {
      exemplars = new ArrayList<>();
      exemplarSeries = new ArrayList<>();
    }
    exemplars.add(clean);
    exemplarSeries.add(s);
    return s.ref;
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
  public void commit(Durability durability) {
    if (done) {
      throw new IllegalStateException("appender already committed or rolled back");
    }
    done = true;
    int hn = histograms == null ? 0 : histograms.n;
    int en = exemplars == null ? 0 : exemplars.size();
    if (n == 0 && hn == 0 && en == 0) {
      release();
      return;
    }
    boolean applied = false;
    try {
      List<MemSeries> fresh = new ArrayList<>();
      long token;
      try {
        token = logBatch(fresh, durability);
      } catch (RuntimeException e) {
        forgetLogged(fresh);
        throw e;
      }
      // The log writes and fsyncs the records while the batch is applied to memory: as in
      // Prometheus, samples may be visible before they are durable, but the commit returns (and
      // is acknowledged) only once both are done. The log reads the batch's arrays until then.
      try {
        apply();
      } catch (RuntimeException | Error e) {
        awaitQuietly(token);
        throw e;
      }
      applied = true;
      try {
        head.log().awaitDurable(token);
      } catch (RuntimeException e) {
        forgetLogged(fresh);
        throw e;
      }
      if (head.hasCommitListeners()) {
        head.notifyCommitted(committedView());
      }
      if (en > 0) {
        addExemplars();
      }
    } finally {
      if (applied) {
        returnApplied();
      } else {
        release();
      }
    }
  }

  /** After a failed log write: these series' records are not in the log, a later batch writes them again. */
  private void forgetLogged(List<MemSeries> fresh) {
    head.logLock.lock();
    try {
      for (MemSeries s : fresh) {
        s.logged = false;
      }
    } finally {
      head.logLock.unlock();
    }
  }

  /** Waits until the log no longer reads this batch's arrays, ignoring its outcome. */
  private void awaitQuietly(long token) {
    try {
      head.log().awaitDurable(token);
    } catch (RuntimeException ignored) {
      // The caller reports its own failure.
    }
  }

  /** Gives the applied batch's arrays back once the log no longer reads them. */
  private void returnApplied() {
    if (histograms != null) {
      histograms.clear();
    }
    returnBatch(n);
    n = 0;
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

      @Override
      public int histogramCount() {
        return histograms == null ? 0 : histograms.n;
      }

      @Override
      public dev.kiln.tsdb.model.Labels histogramLabels(int i) {
        return histograms.series[i].labels;
      }

      @Override
      public long histogramTimestamp(int i) {
        return histograms.ts[i];
      }

      @Override
      public Histogram histogram(int i) {
        return histograms.hs[i];
      }

      @Override
      public FloatHistogram floatHistogram(int i) {
        return histograms.fhs[i];
      }
    };
  }

  /**
   * Queues series records for series the log has not seen (collected into {@code fresh}), then
   * the samples, in the order of the log lock. Returns the token to await.
   */
  private long logBatch(List<MemSeries> fresh, Durability durability) {
    head.logLock.lock();
    try {
      if (unlogged != null) {
        for (MemSeries s : unlogged) {
          if (!s.logged) {
            fresh.add(s);
            s.logged = true; // only written under the log lock; dedupes repeats in this batch
          }
        }
      }
      if (histograms != null) {
        for (int i = 0; i < histograms.n; i++) {
          MemSeries s = histograms.series[i];
          if (!s.logged) {
            fresh.add(s);
            s.logged = true;
          }
        }
      }
      if (exemplarSeries != null) {
        for (MemSeries s : exemplarSeries) {
          if (!s.logged) {
            fresh.add(s);
            s.logged = true;
          }
        }
      }
      List<CommitLog.SeriesEntry> entries = List.of();
      if (!fresh.isEmpty()) {
        fresh.sort((a, b) -> Long.compare(a.ref, b.ref));
        entries = new ArrayList<>(fresh.size());
        for (MemSeries s : fresh) {
          entries.add(new CommitLog.SeriesEntry(s.ref, s.labels));
        }
      }
      long token = 0;
      boolean anyHistograms = histograms != null && histograms.n > 0;
      if (n > 0 || (!anyHistograms && !entries.isEmpty())) {
        token = head.log().write(entries, refs, ts, vs, n, durability);
        entries = List.of();
      }
      if (anyHistograms) {
        PendingHistograms p = histograms;
        token = Math.max(token, head.log().writeHistograms(entries, p.refs, p.ts, p.hs, p.fhs, p.n, durability));
      }
      if (exemplars != null && !exemplars.isEmpty()) {
        List<dev.kiln.tsdb.wal.WalRecords.ExemplarRecord> recs = new ArrayList<>(exemplars.size());
        for (int i = 0; i < exemplars.size(); i++) {
          dev.kiln.tsdb.storage.Exemplar e = exemplars.get(i);
          recs.add(new dev.kiln.tsdb.wal.WalRecords.ExemplarRecord(exemplarSeries.get(i).ref, e.timestampMillis(), e.value(), e.labels()));
        }
        token = Math.max(token, head.log().writeExemplars(recs, durability));
      }
      return token;
    } finally {
      head.logLock.unlock();
    }
  }

  /** Stores the batch's exemplars, as Prometheus's commit: a rejected one is skipped (and counted when out of order). */
  private void addExemplars() {
    CircularExemplarStorage store = head.exemplars();
    for (int i = 0; i < exemplars.size(); i++) {
      try {
        store.add(exemplarSeries.get(i).labels, exemplars.get(i));
      } catch (dev.kiln.tsdb.storage.ExemplarException e) {
        // Out of order exemplars are counted by the storage; nothing else can fail here.
      }
    }
    exemplars = null;
    exemplarSeries = null;
  }

  /**
   * Applies the batch to memory and ends its hold on the series, under the isolation lock. The
   * arrays stay until {@link #returnApplied}.
   */
  private void apply() {
    HeadOptions opts = head.options();
    ChunkStore store = head.store();
    // {applied, new chunks, mint, maxt}
    long[] stats = {0, 0, Long.MAX_VALUE, Long.MIN_VALUE};
    long stamp = head.isolation.readLock();
    try {
      applyFloats(opts, store, stats);
      if (histograms != null) {
        applyHistograms(opts, store, stats);
      }
      if (stats[2] != Long.MAX_VALUE) {
        head.updateTimeBounds(stats[2], stats[3]);
      }
    } finally {
      head.isolation.unlockRead(stamp);
      head.counters().samplesAppended.add(stats[0]);
      head.counters().chunksCreated.add(stats[1]);
    }
  }

  /** Appends the float samples to their series and ends this batch's hold on them. */
  private void applyFloats(HeadOptions opts, ChunkStore store, long[] stats) {
    long applied = 0;
    long newChunks = 0;
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    MemSeries[] series = this.series;
    long[] ts = this.ts;
    double[] vs = this.vs;
    touchSeries(series, n);
    for (int i = 0; i < n; i++) {
      MemSeries s = series[i];
      long t = ts[i];
      boolean newlyIndexed = false;
      synchronized (s) {
        int r = s.append(t, vs[i], opts, store);
        if (r != MemSeries.REJECTED) {
          applied++;
          if (r == MemSeries.APPENDED_NEW_CHUNK) {
            newChunks++;
          }
          mint = Math.min(mint, t);
          maxt = Math.max(maxt, t);
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
    stats[0] += applied;
    stats[1] += newChunks;
    stats[2] = Math.min(stats[2], mint);
    stats[3] = Math.max(stats[3], maxt);
  }

  /**
   * Reads each series' append state once before the locked pass. The series were last touched
   * while the batch was staged, and other requests may have run since, so many of them may no
   * longer be in the cache; independent reads in one tight loop let the processor wait for
   * many of those misses at once, where the locked pass would wait for them one by one.
   */
  private void touchSeries(MemSeries[] series, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += series[i].touch();
    }
    touched = sum;
  }

  /** Appends the native-histogram samples to their series and ends the hold on them. */
  private void applyHistograms(HeadOptions opts, ChunkStore store, long[] stats) {
    PendingHistograms p = histograms;
    for (int i = 0; i < p.n; i++) {
      MemSeries s = p.series[i];
      boolean newlyIndexed = false;
      synchronized (s) {
        int r = s.appendHistogram(p.ts[i], p.hs[i], p.fhs[i], opts, store);
        if (r != MemSeries.REJECTED) {
          stats[0]++;
          if (r == MemSeries.APPENDED_NEW_CHUNK) {
            stats[1]++;
          }
          stats[2] = Math.min(stats[2], p.ts[i]);
          stats[3] = Math.max(stats[3], p.ts[i]);
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
    endHistogramHolds();
  }

  /** Ends the pending-commit hold of each series with pending histograms. */
  private void endHistogramHolds() {
    for (MemSeries s : histograms.newest.keySet()) {
      synchronized (s) {
        s.pendingCommits--;
      }
    }
  }

  /** Ends the pending-commit hold of each series with pending histograms and drops them. */
  private void releaseHistograms() {
    if (histograms == null) {
      return;
    }
    endHistogramHolds();
    histograms.clear();
  }

  /** Gives up the batch's hold on its series without applying anything. */
  private void release() {
    releaseHistograms();
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
