package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.index.MemPostings;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Appendable;
import dev.kiln.tsdb.storage.Appender;
import dev.kiln.tsdb.storage.CommitListener;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.wal.CommitLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The in-memory part of the database: the active series, their open chunks, references to their
 * completed chunks in a {@link ChunkStore}, and the label index.
 *
 * <p>Thread-safe. Appenders commit concurrently; a commit becomes visible to queriers created
 * after it returned, and atomically: a querier sees all of a commit or none of it (commits apply
 * under the shared side of an isolation lock, queriers take their snapshot under its exclusive
 * side).
 */
public final class Head implements Appendable, Queryable, AutoCloseable {
  private final java.util.List<CommitListener> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HeadOptions options;
  private final ChunkStore store;
  private final CommitLog log;
  private final MemPostings postings = new MemPostings();
  private final HeadCounters counters = new HeadCounters();
  private final Map<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
  private final SeriesRefTable byRef = new SeriesRefTable();
  private final AtomicLong lastRef = new AtomicLong();
  private final AtomicLong minTime = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong maxTime = new AtomicLong(Long.MIN_VALUE);
  private volatile long minValidTime = Long.MIN_VALUE;
  private final Map<Long, MemSeries> replayAliases = new ConcurrentHashMap<>();
  /** Batch arrays of committed appenders, reused by later ones (a scrape appends thousands of samples). */
  private final java.util.concurrent.ArrayBlockingQueue<HeadAppender.Batch> batches =
      new java.util.concurrent.ArrayBlockingQueue<>(16);
  /** Time bounds of replayed samples, guarded by {@code replayAliases}. */
  private long replayMinT = Long.MAX_VALUE;
  private long replayMaxT = Long.MIN_VALUE;
  /**
   * Commits apply under its read side, queriers snapshot under its write side. A StampedLock, not
   * a ReentrantReadWriteLock: every commit of every connection takes the read side, and a
   * StampedLock's read side is one atomic update, without per-thread hold counts.
   */
  final StampedLock isolation = new StampedLock();
  final ReentrantLock logLock = new ReentrantLock();
  /** Exemplar storage; size 0 (nothing kept) until resized. */
  private final CircularExemplarStorage exemplars = new CircularExemplarStorage(0);

  public Head(HeadOptions options, ChunkStore store, CommitLog log) {
    this.options = options;
    this.store = store;
    this.log = log;
  }

  /** A head kept only in memory, with default options. */
  public static Head inMemory() {
    return new Head(HeadOptions.DEFAULT, new HeapChunkStore(), CommitLog.NONE);
  }

  /** Registers a listener told about every committed batch (see {@link CommitListener}). */
  public void addCommitListener(CommitListener listener) {
    commitListeners.add(listener);
  }

  public void removeCommitListener(CommitListener listener) {
    commitListeners.remove(listener);
  }

  /** Tells the listeners about a batch that is in the log. */
  void notifyCommitted(CommitListener.Batch batch) {
    for (CommitListener l : commitListeners) {
      try {
        l.committed(batch);
      } catch (RuntimeException e) {
        // A listener must not fail the commit of data that is already durable.
      }
    }
  }

  boolean hasCommitListeners() {
    return !commitListeners.isEmpty();
  }

  /** The head's exemplar storage (its size is 0, keeping nothing, until resized). */
  public CircularExemplarStorage exemplars() {
    return exemplars;
  }

  /**
   * Write-ahead log replay: stores a logged exemplar of the series {@code ref}, as Prometheus's
   * replay does (skipped when the series is unknown or the exemplar older than the head's
   * minimum valid time; a rejection is ignored). Returns whether it was stored.
   */
  public boolean replayExemplar(long ref, long t, double v, Labels labels) {
    MemSeries s = byRef.get(ref);
    if (s == null) {
      s = replayAliases.get(ref);
    }
    if (s == null || t < minValidTime || !exemplars.enabled()) {
      return false;
    }
    try {
      exemplars.add(s.labels, dev.kiln.tsdb.storage.Exemplar.of(labels, v, t));
      return true;
    } catch (dev.kiln.tsdb.storage.ExemplarException e) {
      return false;
    }
  }

  /** The series with these labels, or null; never creates one. */
  MemSeries existing(Labels labels) {
    return byLabels.get(labels);
  }

  public HeadOptions options() {
    return options;
  }

  @Override
  public Appender appender() {
    return new HeadAppender(this, appendableMinValidTime());
  }

  @Override
  public Querier querier(long mintMillis, long maxtMillis) {
    return new HeadQuerier(this, mintMillis, maxtMillis);
  }

  /** Earliest sample time the head accepts now, as Prometheus's appendableMinValidTime. */
  long appendableMinValidTime() {
    long max = maxTime.get();
    long mv = minValidTime;
    if (max == Long.MIN_VALUE) {
      return mv;
    }
    return Math.max(mv, max - options.chunkRangeMillis() / 2);
  }

  /** Smallest sample time in the head, or {@link Long#MAX_VALUE} when empty. */
  public long minTime() {
    return minTime.get();
  }

  /** Largest sample time in the head, or {@link Long#MIN_VALUE} when empty. */
  public long maxTime() {
    return maxTime.get();
  }

  /** Number of series in the head. */
  public int numSeries() {
    return byRef.size();
  }

  /**
   * The head's label index. Callers only read it (lookups, statistics); the head alone adds and
   * removes series.
   */
  public MemPostings postings() {
    return postings;
  }

  ChunkStore store() {
    return store;
  }

  CommitLog log() {
    return log;
  }

  /** A batch for an appender: a reused one when available. */
  HeadAppender.Batch takeBatch() {
    HeadAppender.Batch b = batches.poll();
    return b == null ? new HeadAppender.Batch() : b;
  }

  /** Returns a batch for reuse; it must hold no series references. */
  void returnBatch(HeadAppender.Batch b) {
    batches.offer(b);
  }

  MemSeries seriesByRef(long ref) {
    return byRef.get(ref);
  }

  /** Returns the series with these labels, creating it (not yet indexed) when new. */
  MemSeries getOrCreate(Labels labels) {
    MemSeries s = byLabels.get(labels);
    if (s != null) {
      return s;
    }
    Labels interned = postings.intern(labels);
    return byLabels.computeIfAbsent(
        interned,
        l -> {
          MemSeries created = new MemSeries(lastRef.incrementAndGet(), l);
          counters.seriesCreated.increment();
          byRef.put(created.ref, created);
          return created;
        });
  }

  /**
   * Re-creates a series with a known reference (write-ahead log replay). Returns the existing
   * series when the labels are already present under another reference.
   */
  MemSeries restoreSeries(long ref, Labels labels) {
    MemSeries existing = byLabels.get(labels);
    if (existing != null) {
      return existing;
    }
    MemSeries s = new MemSeries(ref, postings.intern(labels));
    s.logged = true;
    counters.seriesCreated.increment();
    byLabels.put(s.labels, s);
    byRef.put(ref, s);
    lastRef.accumulateAndGet(ref, Math::max);
    return s;
  }

  /**
   * Write-ahead log replay: re-creates a series under its logged reference. Not isolated; only
   * for start-up before the head serves requests.
   */
  public void replaySeries(long ref, Labels labels) {
    MemSeries s = restoreSeries(ref, labels);
    if (s.ref != ref) {
      replayAliases.put(ref, s);
    }
  }

  /**
   * Write-ahead log replay: the ref a logged ref's samples belong to (differs only for a series
   * logged under two refs), so that a parallel replay can keep each series on one thread.
   */
  public long replayTargetRef(long ref) {
    if (replayAliases.isEmpty()) {
      return ref;
    }
    MemSeries s = replayAliases.get(ref);
    return s == null ? ref : s.ref;
  }

  /**
   * Restart: gives a replayed series the completed chunks found in head chunk files (oldest
   * first); later logged samples up to the newest of them are then skipped by the replay.
   * Ignored for refs that were logged as aliases of another series. Thread-safe.
   */
  public void attachReplayedChunks(long ref, MmapChunkStore.LoadedChunks loaded) {
    MemSeries s = byRef.get(ref);
    if (s == null || loaded.count == 0) {
      return;
    }
    boolean newlyIndexed = false;
    synchronized (s) {
      if (!s.isEmpty()) {
        return;
      }
      for (int i = 0; i < loaded.count; i++) {
        s.attachCompleted(loaded.refs[i], loaded.minT[i], loaded.maxT[i], store.read(loaded.refs[i]));
      }
      if (!s.indexed) {
        s.indexed = true;
        newlyIndexed = true;
      }
    }
    if (newlyIndexed) {
      index(s);
    }
    synchronized (replayAliases) {
      replayMinT = Math.min(replayMinT, loaded.minT[0]);
      replayMaxT = Math.max(replayMaxT, loaded.maxT[loaded.count - 1]);
    }
  }

  /**
   * Restart: new series get refs above {@code maxRef}, so that refs still named in old head
   * chunk files are never given to another series.
   */
  public void reserveRefsUpTo(long maxRef) {
    lastRef.accumulateAndGet(maxRef, Math::max);
  }

  /**
   * Restart: restores the truncation time of the last run; appends before it are out of bounds.
   */
  public void restoreMinValidTime(long t) {
    minValidTime = Math.max(minValidTime, t);
  }

  /** Ends replay: forgets the aliases of series that were logged under two refs. */
  public void replayDone() {
    replayAliases.clear();
    synchronized (replayAliases) {
      if (replayMinT <= replayMaxT) {
        updateTimeBounds(replayMinT, replayMaxT);
      }
    }
  }

  /**
   * Write-ahead log replay: applies logged samples in order. Samples of unknown series and
   * samples not newer than their series' newest one are skipped. May be called from several
   * threads at once as long as each series' samples always go to the same thread. The head's
   * time bounds are updated by {@link #replayDone()}. Returns the number of samples applied.
   */
  public int replaySamples(long[] refs, long[] ts, double[] vs, int n) {
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    int applied = 0;
    for (int i = 0; i < n; i++) {
      long ref = refs[i];
      MemSeries s = byRef.get(ref);
      if (s == null) {
        s = replayAliases.get(ref);
        if (s == null) {
          continue;
        }
      }
      long t = ts[i];
      boolean newlyIndexed = false;
      synchronized (s) {
        int r = s.append(t, vs[i], options, store);
        if (r == MemSeries.REJECTED) {
          continue;
        }
        if (r == MemSeries.APPENDED_NEW_CHUNK) {
          counters.chunksCreated.increment();
        }
        if (!s.indexed) {
          s.indexed = true;
          newlyIndexed = true;
        }
      }
      if (newlyIndexed) {
        index(s);
      }
      applied++;
      mint = Math.min(mint, t);
      maxt = Math.max(maxt, t);
    }
    counters.samplesAppended.add(applied);
    if (applied > 0) {
      synchronized (replayAliases) {
        replayMinT = Math.min(replayMinT, mint);
        replayMaxT = Math.max(replayMaxT, maxt);
      }
    }
    return applied;
  }

  /**
   * Write-ahead log replay of native-histogram samples: entry {@code i} is {@code hs[i]} or, when
   * null, {@code fhs[i]}. Rules as for {@link #replaySamples}; returns the number applied.
   */
  public int replayHistograms(long[] refs, long[] ts, dev.kiln.tsdb.histogram.Histogram[] hs,
      dev.kiln.tsdb.histogram.FloatHistogram[] fhs, int n) {
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    int applied = 0;
    for (int i = 0; i < n; i++) {
      MemSeries s = byRef.get(refs[i]);
      if (s == null) {
        s = replayAliases.get(refs[i]);
        if (s == null) {
          continue;
        }
      }
      long t = ts[i];
      boolean newlyIndexed = false;
      synchronized (s) {
        int r = s.appendHistogram(t, hs[i], hs[i] == null ? fhs[i] : null, options, store);
        if (r == MemSeries.REJECTED) {
          continue;
        }
        if (r == MemSeries.APPENDED_NEW_CHUNK) {
          counters.chunksCreated.increment();
        }
        if (!s.indexed) {
          s.indexed = true;
          newlyIndexed = true;
        }
      }
      if (newlyIndexed) {
        index(s);
      }
      applied++;
      mint = Math.min(mint, t);
      maxt = Math.max(maxt, t);
    }
    counters.samplesAppended.add(applied);
    if (applied > 0) {
      synchronized (replayAliases) {
        replayMinT = Math.min(replayMinT, mint);
        replayMaxT = Math.max(replayMaxT, maxt);
      }
    }
    return applied;
  }

  /** Adds a series to the postings index after its first sample was committed. */
  void index(MemSeries s) {
    postings.add((int) s.ref, s.labels);
  }

  void updateTimeBounds(long mint, long maxt) {
    minTime.accumulateAndGet(mint, Math::min);
    maxTime.accumulateAndGet(maxt, Math::max);
  }

  /** Series refs matching the ids in a postings bitmap, in ref order. */
  List<MemSeries> seriesFor(RoaringBitmap ids) {
    List<MemSeries> out = new ArrayList<>(ids.getCardinality());
    ids.forEach(
        (int id) -> {
          MemSeries s = byRef.get(Integer.toUnsignedLong(id));
          if (s != null) {
            out.add(s);
          }
        });
    return out;
  }

  /**
   * Drops all data before {@code mint}: chunks that end before it, and series left without
   * samples (removed from the index; their refs are never reused). Appends before {@code mint}
   * are rejected afterwards as out of bounds. Returns the number of series removed.
   */
  public int truncate(long mint) {
    minValidTime = Math.max(minValidTime, mint);
    int removed = 0;
    for (MemSeries s : byRef.values()) {
      boolean empty;
      synchronized (s) {
        empty = s.truncateBefore(mint) && s.pendingCommits == 0;
        if (empty) {
          s.removed = true;
          byLabels.remove(s.labels, s);
          byRef.remove(s.ref, s);
          if (s.indexed) {
            postings.delete((int) s.ref, s.labels);
            s.indexed = false;
          }
          removed++;
        }
      }
    }
    store.truncateBefore(mint);
    counters.seriesRemoved.add(removed);
    counters.truncations.increment();
    long newMin = Long.MAX_VALUE;
    for (MemSeries s : byRef.values()) {
      synchronized (s) {
        if (!s.isEmpty()) {
          newMin = Math.min(newMin, Math.max(s.minTime(), mint));
        }
      }
    }
    minTime.set(newMin == Long.MAX_VALUE ? Math.max(mint, minTime.get()) : newMin);
    log.truncate(mint, ref -> byRef.get(ref) != null);
    return removed;
  }

  /**
   * Calls the consumer with every series and its chunks overlapping [mint, maxt], taken under
   * the series lock (for compaction into a block). Series come in no particular order; chunks
   * may extend beyond the range and must be trimmed by the caller if needed.
   */
  public void forEachSeriesChunks(long mint, long maxt, Consumer<SeriesChunks> consumer) {
    for (MemSeries s : byRef.values()) {
      List<ChunkMeta> chunks;
      synchronized (s) {
        chunks = s.chunksIn(mint, maxt, store);
      }
      if (!chunks.isEmpty()) {
        consumer.accept(new SeriesChunks(s.ref, s.labels, chunks));
      }
    }
  }

  /**
   * Calls the consumer with the labels and ref of every series that has a chunk overlapping
   * [mint, maxt] (decided under the series lock, nothing copied), in no particular order. With
   * {@link #chunksIn} this lets compaction sort the series first and read one series' chunks at
   * a time, instead of holding every chunk of the range at once.
   */
  public void forEachSeriesWithChunksIn(long mint, long maxt, ObjLongConsumer<Labels> consumer) {
    for (MemSeries s : byRef.values()) {
      boolean any;
      synchronized (s) {
        any = s.hasChunksIn(mint, maxt);
      }
      if (any) {
        consumer.accept(s.labels, s.ref);
      }
    }
  }

  /**
   * The chunks of series {@code ref} overlapping [mint, maxt], oldest first, taken under the
   * series lock (as {@link #forEachSeriesChunks}); empty when the series is not in the head.
   */
  public List<ChunkMeta> chunksIn(long ref, long mint, long maxt) {
    MemSeries s = byRef.get(ref);
    if (s == null) {
      return List.of();
    }
    synchronized (s) {
      return s.chunksIn(mint, maxt, store);
    }
  }

  /** All series currently in the head (for checkpoints and statistics); a snapshot copy. */
  Collection<MemSeries> allSeries() {
    return byRef.values();
  }

  /** Total chunks in the head, open chunks included. */
  public long chunkCount() {
    long n = 0;
    for (MemSeries s : byRef.values()) {
      synchronized (s) {
        n += s.chunkCount();
      }
    }
    return n;
  }

  /** Activity counters. */
  public HeadCounters counters() {
    return counters;
  }

  @Override
  public void close() {
    store.close();
  }
}
