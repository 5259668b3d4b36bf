package dev.kiln.tsdb.wal;

import dev.kiln.tsdb.io.FileIo;
import dev.kiln.tsdb.storage.Durability;
import dev.kiln.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log of the head in one directory: segments written by a {@link WalWriter},
 * checkpoints, start-up replay with repair of a torn or corrupt tail.
 *
 * <p>Commits are written by group commit ({@link GroupCommit}): {@link #write} only queues a
 * commit's records; in {@link #awaitDurable} one of the waiting threads becomes the leader, encodes
 * the records of every queued commit into one reused buffer, writes them with one {@code write}
 * and (with a sync interval of 0) one fdatasync, and releases all of them. Records land in the
 * order of the {@link #write} calls.
 *
 * <p>Every commit is written to the segment file (handed to the operating system) before {@link
 * #awaitDurable} returns, so a returned commit survives a crash of the process (kill -9, out of
 * memory) in every mode. What a crash of the operating system or a power loss can take depends on
 * the sync interval and on the durability the commit asked for ({@link Durability}):
 *
 * <ul>
 *   <li>Sync interval 0 (the default), {@link Durability#SYNCED} commit: {@link #awaitDurable}
 *       returns after an fdatasync of the segment that holds the commit; it survives a power loss,
 *       provided the disk honours fsync.
 *   <li>Sync interval 0, {@link Durability#WRITTEN} commit (scrapes, rule evaluations): {@link
 *       #awaitDurable} returns once the commit is written; its group issues no fsync. A background
 *       thread ({@code kiln-wal-sync}) fsyncs whatever was written every {@value
 *       #WRITTEN_SYNC_MILLIS} ms, and any later fsynced commit covers it earlier, so a power loss
 *       takes at most the last second or so of such commits (plus the time an fsync takes).
 *   <li>Positive sync interval (Prometheus's behaviour, opt-in): no commit is fsynced before it
 *       returns; the background thread fsyncs whatever was written once per interval, so a power
 *       loss takes the commits of at most the last interval (plus the time the fsync takes).
 * </ul>
 *
 * <p>Segment rotation and {@link #close} fsync in every mode.
 *
 * <p>In both modes segment creation, rotation, checkpoint renames and deletions also sync the
 * directory.
 *
 * <p>Records are written Snappy-compressed by default ({@link WalCompression}), segments and
 * checkpoints alike, as Prometheus does with {@code --storage.tsdb.wal-compression}; replay reads
 * compressed and uncompressed records whatever the setting.
 *
 * <p>Thread-safe.
 */
public final class Wal implements CommitLog, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Wal.class);
  private static final int SAMPLES_PER_CHECKPOINT_RECORD = 10_000;
  private static final int SERIES_PER_CHECKPOINT_RECORD = 1_000;
  /**
   * With a sync interval of 0: how often the background sync fsyncs what {@link
   * Durability#WRITTEN} commits wrote (nothing to do when an fsynced commit covered it already).
   */
  static final long WRITTEN_SYNC_MILLIS = 1_000;

  private final FileIo io;
  private final Path dir;
  private final long segmentBytes;
  private final long syncIntervalMillis;
  private final WalCompression compression;
  private java.util.concurrent.ScheduledExecutorService syncer;
  private final Object writeMonitor = new Object();
  private final Object checkpointMonitor = new Object();
  private final WalCounters counters = new WalCounters();
  private volatile WalWriter writer;
  private volatile GroupCommit commits;
  /** Only the timer thread reads and writes it. */
  private boolean timerFailureLogged;

  private Wal(FileIo io, Path dir, long segmentBytes, long syncIntervalMillis, WalCompression compression) {
    if (syncIntervalMillis < 0) {
      throw new IllegalArgumentException("WAL sync interval must not be negative: " + syncIntervalMillis);
    }
    this.io = io;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.syncIntervalMillis = syncIntervalMillis;
    this.compression = java.util.Objects.requireNonNull(compression, "compression");
  }

  /** Counts of a replay. */
  public record ReplayStats(
      int segments, long series, long samples, long tombstones, long elapsedMillis, String repaired) {}

  /**
   * Opens the log in {@code dir} for {@link #replay} and then {@link #startWriting}, writing
   * Snappy-compressed records. Leftover temporary checkpoints from a crash are deleted.
   */
  public static Wal open(FileIo io, Path dir, long segmentBytes) {
    return open(io, dir, segmentBytes, 0);
  }

  /**
   * As {@link #open(FileIo, Path, long)}, with a sync interval: 0 fsyncs every commit before
   * {@link #awaitDurable} returns; a positive interval (milliseconds) fsyncs on that timer instead
   * (see the class comment for what that trades).
   */
  public static Wal open(FileIo io, Path dir, long segmentBytes, long syncIntervalMillis) {
    return open(io, dir, segmentBytes, syncIntervalMillis, WalCompression.SNAPPY);
  }

  /** As {@link #open(FileIo, Path, long, long)}, writing records as {@code compression} says. */
  public static Wal open(FileIo io, Path dir, long segmentBytes, long syncIntervalMillis,
      WalCompression compression) {
    Wal wal = new Wal(io, dir, segmentBytes, syncIntervalMillis, compression);
    try {
      io.createDirectories(dir);
      for (Path tmp : WalSegments.temporaryCheckpoints(io, dir)) {
        io.deleteRecursively(tmp);
      }
      return wal;
    } catch (IOException e) {
      throw new StorageException("open write-ahead log " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replays the newest checkpoint and the segments after it into the handler, and repairs a torn
   * or corrupt tail: the bad segment is truncated at its last good record and later segments are
   * deleted, with a warning. Call once, before {@link #startWriting}.
   */
  public ReplayStats replay(WalReplayHandler handler) {
    try {
      return doReplay(handler);
    } catch (IOException e) {
      throw new StorageException("replay write-ahead log " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Starts a new segment after every existing one; commits are accepted from now on. */
  public void startWriting() {
    try {
      List<WalSegments.Segment> segs = WalSegments.list(io, dir);
      List<WalSegments.Segment> cps = WalSegments.checkpoints(io, dir);
      int next = 0;
      if (!segs.isEmpty()) {
        next = segs.get(segs.size() - 1).index() + 1;
      }
      if (!cps.isEmpty()) {
        next = Math.max(next, cps.get(cps.size() - 1).index() + 1);
      }
      synchronized (writeMonitor) {
        writer = new WalWriter(io, dir, next, segmentBytes, counters, compression);
        commits = new GroupCommit(writer, syncIntervalMillis == 0);
        if (syncer == null) {
          long period = syncIntervalMillis > 0 ? syncIntervalMillis : WRITTEN_SYNC_MILLIS;
          syncer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-wal-sync");
            t.setDaemon(true);
            return t;
          });
          syncer.scheduleWithFixedDelay(this::syncOnTimer, period, period,
              java.util.concurrent.TimeUnit.MILLISECONDS);
        }
      }
    } catch (IOException e) {
      throw new StorageException("start write-ahead log " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Segment indexes present now: {min, max}, or {0, -1} when none. */
  public int[] segmentRange() {
    try {
      List<WalSegments.Segment> segs = WalSegments.list(io, dir);
      if (segs.isEmpty()) {
        return new int[] {0, -1};
      }
      return new int[] {segs.get(0).index(), segs.get(segs.size() - 1).index()};
    } catch (IOException e) {
      throw new StorageException("list write-ahead log " + dir + ": " + e.getMessage(), e);
    }
  }

  private ReplayStats doReplay(WalReplayHandler handler) throws IOException {
    long start = System.nanoTime();
    long[] counts = new long[3];
    WalReplayHandler counting = counting(handler, counts);
    List<WalSegments.Segment> cps = WalSegments.checkpoints(io, dir);
    int firstSegment = 0;
    if (!cps.isEmpty()) {
      WalSegments.Segment cp = cps.get(cps.size() - 1);
      for (WalSegments.Segment s : WalSegments.list(io, cp.path())) {
        try (WalReader r = new WalReader(io, s.path(), s.index())) {
          readAll(r, counting);
        }
      }
      firstSegment = cp.index() + 1;
      LOG.info("WAL checkpoint loaded: checkpoint={} series={} samples={}", cp.path().getFileName(), counts[0], counts[1]);
    }
    List<WalSegments.Segment> segs = new ArrayList<>();
    for (WalSegments.Segment s : WalSegments.list(io, dir)) {
      if (s.index() >= firstSegment) {
        segs.add(s);
      }
    }
    String repaired = null;
    int min = segs.isEmpty() ? 0 : segs.get(0).index();
    int max = segs.isEmpty() ? 0 : segs.get(segs.size() - 1).index();
    for (int i = 0; i < segs.size(); i++) {
      WalSegments.Segment s = segs.get(i);
      handler.segmentStarted(s.index(), min, max);
      try (WalReader r = new WalReader(io, s.path(), s.index())) {
        readAll(r, counting);
      } catch (WalCorruptionException e) {
        repaired = repair(e, segs.subList(i + 1, segs.size()));
        break;
      }
      LOG.info(
          "WAL segment loaded: segment={} maxSegment={} series={} samples={} elapsed={}ms",
          s.index(), max, counts[0], counts[1], (System.nanoTime() - start) / 1_000_000);
    }
    long elapsed = (System.nanoTime() - start) / 1_000_000;
    LOG.info(
        "WAL replay completed: segments={} series={} samples={} tombstones={} elapsed={}ms",
        segs.size(), counts[0], counts[1], counts[2], elapsed);
    return new ReplayStats(segs.size(), counts[0], counts[1], counts[2], elapsed, repaired);
  }

  private static WalReplayHandler counting(WalReplayHandler h, long[] counts) {
    return new WalReplayHandler() {
      @Override
      public void series(WalRecords.SeriesRecord series) {
        counts[0]++;
        h.series(series);
      }

      @Override
      public void sample(long ref, long t, double v) {
        counts[1]++;
        h.sample(ref, t, v);
      }

      @Override
      public void tombstone(WalRecords.Tombstone tombstone) {
        counts[2]++;
        h.tombstone(tombstone);
      }

      @Override
      public void exemplar(WalRecords.ExemplarRecord e) {
        h.exemplar(e);
      }

      @Override
      public void histogram(long ref, long t, dev.kiln.tsdb.histogram.Histogram hist) {
        counts[1]++;
        h.histogram(ref, t, hist);
      }

      @Override
      public void floatHistogram(long ref, long t, dev.kiln.tsdb.histogram.FloatHistogram hist) {
        counts[1]++;
        h.floatHistogram(ref, t, hist);
      }
    };
  }

  /**
   * Decodes every record of a reader into the handler. A record that passes its checksum but
   * cannot be decoded is reported as corruption at its offset.
   */
  private static void readAll(WalReader r, WalReplayHandler h) throws IOException {
    byte[] rec;
    while ((rec = r.next()) != null) {
      dispatch(rec, h, r);
    }
  }

  private static void dispatch(byte[] rec, WalReplayHandler h, WalReader r) {
    try {
      switch (WalRecords.type(rec)) {
        case WalRecords.SERIES -> WalRecords.decodeSeries(rec, h::series);
        case WalRecords.SAMPLES -> WalRecords.decodeSamples(rec, h::sample);
        case WalRecords.TOMBSTONES -> WalRecords.decodeTombstones(rec, h::tombstone);
        case WalRecords.EXEMPLARS -> WalRecords.decodeExemplars(rec, h::exemplar);
        case HistogramRecords.HISTOGRAM_SAMPLES, HistogramRecords.CUSTOM_BUCKETS_HISTOGRAM_SAMPLES ->
            HistogramRecords.decodeHistograms(rec, h::histogram);
        case HistogramRecords.FLOAT_HISTOGRAM_SAMPLES,
            HistogramRecords.CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES ->
            HistogramRecords.decodeFloatHistograms(rec, h::floatHistogram);
        default -> LOG.debug("skipping WAL record of unknown type {}", WalRecords.type(rec));
      }
    } catch (IllegalArgumentException e) {
      throw r.corruptAtRecord("undecodable record: " + e.getMessage());
    }
  }

  /** Truncates the corrupt segment at the bad record and deletes the segments after it. */
  private String repair(WalCorruptionException e, List<WalSegments.Segment> later)
      throws IOException {
    Path seg = e.segment();
    String msg =
        "WAL corruption in segment "
            + seg.getFileName()
            + " at offset "
            + e.offset()
            + " ("
            + e.getMessage()
            + "): truncating it there and deleting "
            + later.size()
            + " later segment(s)";
    LOG.warn(msg);
    counters.corruptions.increment();
    io.truncate(seg, e.offset());
    for (WalSegments.Segment s : later) {
      io.deleteRecursively(s.path());
      counters.segmentsDeleted.increment();
    }
    io.syncDirectory(dir);
    return msg;
  }

  @Override
  public void truncate(long mint, LongPredicate liveSeries) {
    checkpoint(mint, liveSeries);
  }

  /**
   * Queues the commit's records behind every earlier commit; they are written by the leader of
   * the group the commit falls into, so the arrays and the list must stay unchanged until {@link
   * #awaitDurable} of the returned token returned or threw.
   */
  @Override
  public long write(List<SeriesEntry> newSeries, long[] refs, long[] ts, double[] vs, int n,
      Durability durability) {
    return commits().enqueue(new SamplesEntry(newSeries, refs, ts, vs, n, durability == Durability.SYNCED));
  }

  @Override
  public long writeHistograms(List<SeriesEntry> newSeries, long[] refs, long[] ts,
      dev.kiln.tsdb.histogram.Histogram[] hs, dev.kiln.tsdb.histogram.FloatHistogram[] fhs, int n,
      Durability durability) {
    List<byte[]> recs = new ArrayList<>(5);
    if (!newSeries.isEmpty()) {
      List<WalRecords.SeriesRecord> series = new ArrayList<>(newSeries.size());
      for (SeriesEntry s : newSeries) {
        series.add(new WalRecords.SeriesRecord(s.ref(), s.labels()));
      }
      recs.add(WalRecords.encodeSeries(series));
    }
    addIfPresent(recs, HistogramRecords.encodeHistograms(refs, ts, hs, n, false));
    addIfPresent(recs, HistogramRecords.encodeHistograms(refs, ts, hs, n, true));
    addIfPresent(recs, HistogramRecords.encodeFloatHistograms(refs, ts, fhs, n, false));
    addIfPresent(recs, HistogramRecords.encodeFloatHistograms(refs, ts, fhs, n, true));
    return commits().enqueue(new EncodedEntry(recs.toArray(new byte[0][]), n, durability == Durability.SYNCED));
  }

  @Override
  public long writeExemplars(List<WalRecords.ExemplarRecord> exemplars, Durability durability) {
    return commits().enqueue(new EncodedEntry(new byte[][] {WalRecords.encodeExemplars(exemplars)}, 0,
        durability == Durability.SYNCED));
  }

  private GroupCommit commits() {
    GroupCommit c = commits;
    if (c == null) {
      throw new IllegalStateException("write-ahead log not started");
    }
    return c;
  }

  private static void addIfPresent(List<byte[]> recs, byte[] rec) {
    if (rec != null) {
      recs.add(rec);
    }
  }

  /**
   * With a sync interval of 0, returns once the commit is written and, when it was written as
   * {@link Durability#SYNCED}, fsynced; with a positive interval, once it is written to the segment
   * file (the timer fsyncs it). Either way the calling
   * thread may write and fsync the queued commits of other threads as well (group commit).
   */
  @Override
  public void awaitDurable(long token) {
    commits().await(token);
  }

  /** Groups of commits written so far (each one {@code write}, and one fsync when fsyncing every commit). */
  public long commitGroups() {
    GroupCommit c = commits;
    return c == null ? 0 : c.groups();
  }

  /** The group committer, for tests. */
  GroupCommit groupCommit() {
    return commits();
  }

  /** A commit of float samples, encoded by the leader of its group into the shared buffer. */
  private record SamplesEntry(List<SeriesEntry> newSeries, long[] refs, long[] ts, double[] vs, int n,
      boolean awaitsSync) implements GroupCommit.Entry {
    @Override
    public void appendTo(WalWriter w, RecordBuffer scratch) {
      if (!newSeries.isEmpty()) {
        scratch.clear();
        WalRecords.encodeSeries(scratch, newSeries);
        w.append(scratch.array(), 0, scratch.length());
      }
      scratch.clear();
      WalRecords.encodeSamples(scratch, refs, ts, vs, n);
      w.append(scratch.array(), 0, scratch.length());
    }

    @Override
    public int samples() {
      return n;
    }
  }

  /** Records encoded by the committing thread (histograms, tombstones). */
  private record EncodedEntry(byte[][] records, int samples, boolean awaitsSync) implements GroupCommit.Entry {
    @Override
    public void appendTo(WalWriter w, RecordBuffer scratch) {
      for (byte[] r : records) {
        w.append(r, 0, r.length);
      }
    }
  }

  /** How records are written. */
  public WalCompression compression() {
    return compression;
  }

  /** The sync interval, milliseconds; 0 when every commit is fsynced. */
  public long syncIntervalMillis() {
    return syncIntervalMillis;
  }

  /**
   * Fsyncs everything written so far (what the sync timer does once per interval, or every
   * {@value #WRITTEN_SYNC_MILLIS} ms with an interval of 0); returns at once when that is durable
   * already.
   */
  public void syncWritten() {
    WalWriter w = writer;
    if (w != null) {
      w.sync(w.writtenBytes());
    }
  }

  private void syncOnTimer() {
    try {
      syncWritten();
    } catch (RuntimeException e) {
      // The writer refuses further writes after a failed fsync, so commits report it; the timer
      // keeps meeting the same failure, so it says so once.
      if (!timerFailureLogged) {
        timerFailureLogged = true;
        LOG.error("periodic fsync of the write-ahead log failed: {}", e.getMessage());
      }
    }
  }

  /** Logs tombstones durably. */
  public void logTombstones(List<WalRecords.Tombstone> stones) {
    GroupCommit c = commits();
    c.await(c.enqueue(new EncodedEntry(new byte[][] {WalRecords.encodeTombstones(stones)}, stones.size(), true)));
    if (syncIntervalMillis > 0) {
      writer.sync(writer.writtenBytes());
    }
  }

  /**
   * Closes the current segment and rewrites everything before it into a checkpoint that keeps
   * only the series {@code keepSeries} accepts and samples at or after {@code mint}; then deletes
   * the checkpointed segments and older checkpoints. Returns the checkpoint's index.
   */
  public int checkpoint(long mint, LongPredicate keepSeries) {
    if (writer == null) {
      throw new IllegalStateException("write-ahead log not started");
    }
    synchronized (checkpointMonitor) {
      try {
        int last = commits().exclusive(writer::nextSegment);
        long start = System.nanoTime();
        Path tmp = dir.resolve(WalSegments.checkpointName(last) + ".tmp");
        io.deleteRecursively(tmp);
        CheckpointSink sink = new CheckpointSink(
            new WalWriter(io, tmp, 0, segmentBytes, new WalCounters(), compression), mint, keepSeries);
        List<WalSegments.Segment> cps = WalSegments.checkpoints(io, dir);
        if (!cps.isEmpty()) {
          for (WalSegments.Segment s : WalSegments.list(io, cps.get(cps.size() - 1).path())) {
            try (WalReader r = new WalReader(io, s.path(), s.index())) {
              readAll(r, sink);
            }
          }
        }
        int from = cps.isEmpty() ? Integer.MIN_VALUE : cps.get(cps.size() - 1).index() + 1;
        List<WalSegments.Segment> done = new ArrayList<>();
        for (WalSegments.Segment s : WalSegments.list(io, dir)) {
          if (s.index() >= from && s.index() <= last) {
            try (WalReader r = new WalReader(io, s.path(), s.index())) {
              readAll(r, sink);
            }
          }
          if (s.index() <= last) {
            done.add(s);
          }
        }
        sink.close();
        Path target = dir.resolve(WalSegments.checkpointName(last));
        io.deleteRecursively(target);
        io.rename(tmp, target);
        io.syncDirectory(dir);
        for (WalSegments.Segment s : done) {
          io.deleteRecursively(s.path());
          counters.segmentsDeleted.increment();
        }
        for (WalSegments.Segment cp : cps) {
          if (cp.index() < last) {
            io.deleteRecursively(cp.path());
          }
        }
        io.syncDirectory(dir);
        counters.checkpoints.increment();
        LOG.info(
            "WAL checkpoint created: checkpoint={} series={} samples={} elapsed={}ms",
            target.getFileName(), sink.series, sink.samples, (System.nanoTime() - start) / 1_000_000);
        return last;
      } catch (IOException e) {
        throw new StorageException("checkpoint write-ahead log " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /** Activity counters. */
  public WalCounters counters() {
    return counters;
  }

  /** Index of the segment being written, or 0 before writing started. */
  public int currentSegmentOrZero() {
    WalWriter w = writer;
    return w == null ? 0 : w.segmentIndex();
  }

  /** Index of the segment being written. */
  public int currentSegment() {
    return writer.segmentIndex();
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    java.util.concurrent.ScheduledExecutorService s;
    synchronized (writeMonitor) {
      s = syncer;
      syncer = null;
    }
    if (s != null) {
      s.shutdown(); // not shutdownNow: an interrupt during force() would close the segment channel
      try {
        s.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (writeMonitor) {
      if (writer == null) {
        return;
      }
      try {
        WalWriter w = writer;
        commits.exclusive(() -> {
          w.close();
          return null;
        });
      } catch (IOException e) {
        throw new StorageException("close write-ahead log " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /** Filters replayed records into checkpoint records. */
  private static final class CheckpointSink implements WalReplayHandler {
    private final WalWriter out;
    private final long mint;
    private final LongPredicate keep;
    private final List<WalRecords.SeriesRecord> seriesBuf = new ArrayList<>();
    private final long[] refs = new long[SAMPLES_PER_CHECKPOINT_RECORD];
    private final long[] ts = new long[SAMPLES_PER_CHECKPOINT_RECORD];
    private final double[] vs = new double[SAMPLES_PER_CHECKPOINT_RECORD];
    private int n;
    private final List<WalRecords.Tombstone> stones = new ArrayList<>();
    private final List<WalRecords.ExemplarRecord> exemplars = new ArrayList<>();
    long series;
    long samples;

    CheckpointSink(WalWriter out, long mint, LongPredicate keep) {
      this.out = out;
      this.mint = mint;
      this.keep = keep;
    }

    @Override
    public void series(WalRecords.SeriesRecord s) {
      if (keep.test(s.ref())) {
        flushSamples();
        seriesBuf.add(s);
        series++;
        if (seriesBuf.size() == SERIES_PER_CHECKPOINT_RECORD) {
          flushSeries();
        }
      }
    }

    @Override
    public void sample(long ref, long t, double v) {
      if (t >= mint && keep.test(ref)) {
        flushSeries();
        refs[n] = ref;
        ts[n] = t;
        vs[n] = v;
        n++;
        samples++;
        if (n == refs.length) {
          flushSamples();
        }
      }
    }

    @Override
    public void tombstone(WalRecords.Tombstone t) {
      if (t.maxt() >= mint && keep.test(t.ref())) {
        stones.add(t);
      }
    }

    @Override
    public void histogram(long ref, long t, dev.kiln.tsdb.histogram.Histogram h) {
      if (t >= mint && keep.test(ref)) {
        flushSeries();
        flushSamples();
        out.log(HistogramRecords.encodeHistograms(new long[] {ref}, new long[] {t},
            new dev.kiln.tsdb.histogram.Histogram[] {h}, 1, h.usesCustomBuckets()));
        samples++;
      }
    }

    @Override
    public void floatHistogram(long ref, long t, dev.kiln.tsdb.histogram.FloatHistogram h) {
      if (t >= mint && keep.test(ref)) {
        flushSeries();
        flushSamples();
        out.log(HistogramRecords.encodeFloatHistograms(new long[] {ref}, new long[] {t},
            new dev.kiln.tsdb.histogram.FloatHistogram[] {h}, 1, h.usesCustomBuckets()));
        samples++;
      }
    }

    @Override
    public void exemplar(WalRecords.ExemplarRecord e) {
      // As Prometheus's checkpoint: exemplars of kept series at or after mint stay.
      if (e.t() >= mint && keep.test(e.ref())) {
        flushSeries();
        flushSamples();
        exemplars.add(e);
        if (exemplars.size() == SAMPLES_PER_CHECKPOINT_RECORD) {
          flushExemplars();
        }
      }
    }

    private void flushExemplars() {
      if (!exemplars.isEmpty()) {
        out.log(WalRecords.encodeExemplars(exemplars));
        exemplars.clear();
      }
    }

    private void flushSeries() {
      if (!seriesBuf.isEmpty()) {
        out.log(WalRecords.encodeSeries(seriesBuf));
        seriesBuf.clear();
      }
    }

    private void flushSamples() {
      if (n > 0) {
        out.log(WalRecords.encodeSamples(refs, ts, vs, n));
        n = 0;
      }
    }

    void close() throws IOException {
      flushSeries();
      flushSamples();
      flushExemplars();
      if (!stones.isEmpty()) {
        out.log(WalRecords.encodeTombstones(stones));
      }
      out.close();
    }
  }
}
