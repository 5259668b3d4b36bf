package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.Chunk;
import dev.kiln.tsdb.chunk.ChunkEncoding;
import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.chunk.FloatHistogramAppender;
import dev.kiln.tsdb.chunk.HistogramAppender;
import dev.kiln.tsdb.chunk.XorChunk;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Histogram;
import dev.kiln.tsdb.storage.ValueType;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.AppendException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series in the head: its labels, the open chunk (XOR, or a histogram chunk while the series
 * holds native histograms), and references to its completed chunks in the {@link ChunkStore}.
 * Chunks are cut as Prometheus's {@code head_append.go} does: at the chunk-range boundary, at a
 * predicted end time once a quarter full ({@link #computeChunkEndTime}) or at twice the target
 * sample count, whatever their size (as Prometheus 2.42); histogram chunks by size ({@link
 * #appendHistogram}), and on a change between float and histogram samples.
 *
 * <p>Guarded by its own monitor: every method except the final fields must be called while
 * synchronized on the series.
 */
final class MemSeries {
  final long ref;
  final Labels labels;
  /**
   * The last label set, other than {@link #labels} itself, that an append proved equal to
   * {@link #labels}; an append passing the same instance again skips the comparison. Read and
   * written without the series lock: any value it holds is equal to {@link #labels} and immutable.
   */
  Labels matchedLabels;

  private XorChunk open;
  /** The open chunk when it holds histograms ({@link #open} is then null). */
  private OpenHistogramChunk hist;
  /** The newest sample when it is a histogram (Histogram or FloatHistogram), else null. */
  private Object lastHistogram;
  private long openMinT = Long.MIN_VALUE;
  private long nextAt = Long.MIN_VALUE;
  private long lastT = Long.MIN_VALUE;
  private long lastVBits;

  /**
   * Completed chunks, oldest first, three longs each: chunk ref, min time, max time (one array
   * instead of three saves two array headers and two references per series).
   */
  private long[] done = EMPTY;
  private int doneCount;

  /**
   * Set once the series record is in the write-ahead log. Written only under the head's log lock
   * (or during single-thread replay), read without the series lock.
   */
  volatile boolean logged;
  /** Set once the series is in the postings index (after its first committed sample). */
  boolean indexed;
  /** Open appenders holding samples for this series; garbage collection skips it while > 0. */
  int pendingCommits;
  /** Set when garbage collection removed the series from the head. */
  boolean removed;
  /** The appender whose batch holds this series' newest pending sample, if any. */
  Object pendingOwner;
  /** Index of that sample in the owner's batch. */
  int pendingIndex;

  private static final long[] EMPTY = new long[0];

  MemSeries(long ref, Labels labels) {
    this.ref = ref;
    this.labels = labels;
  }

  /** True when the series holds no samples. */
  boolean isEmpty() {
    return lastT == Long.MIN_VALUE && doneCount == 0;
  }

  long maxTime() {
    return lastT;
  }

  /**
   * Reads what an append reads first (the newest time, the open chunk and the byte it writes
   * next) and returns a value that depends on them. Called without the series lock, for every
   * series of a batch before the locked pass, so that their cache misses overlap instead of being
   * paid one after the other; a racing append only changes the discarded result.
   */
  long touch() {
    XorChunk o = open;
    return lastT ^ (o == null ? 0 : o.touch());
  }

  long minTime() {
    if (doneCount > 0) {
      return doneMinT(0);
    }
    if (hist != null) {
      return hist.minT;
    }
    return open == null ? Long.MAX_VALUE : openMinT;
  }

  /**
   * Checks a sample against the series' newest sample, as Prometheus's {@code appendable}.
   * Returns false for an exact duplicate (same time, same value bits), which is accepted but not
   * stored.
   */
  boolean checkAppendable(long t, double v) {
    if (t == lastT && lastHistogram != null) {
      throw new AppendException(
          AppendException.Reason.DUPLICATE_SAMPLE, "timestamp " + t + " holds a histogram, not " + v);
    }
    return checkAgainst(t, v, lastT, lastVBits, isEmpty());
  }

  /**
   * Checks a histogram sample against the newest sample, as Prometheus's {@code
   * appendableHistogram}: returns false for an exact duplicate (same time, equal histogram).
   */
  boolean checkAppendableHistogram(long t, Histogram h, FloatHistogram fh) {
    if (isEmpty() || t > lastT) {
      return true;
    }
    if (t == lastT) {
      Object v = h != null ? h : fh;
      if (lastHistogram != null && lastHistogram.getClass() == v.getClass() && lastHistogram.equals(v)) {
        return false;
      }
      throw new AppendException(AppendException.Reason.DUPLICATE_SAMPLE,
          "timestamp " + t + " already holds another sample");
    }
    throw new AppendException(AppendException.Reason.OUT_OF_ORDER, "timestamp " + t);
  }

  static boolean checkAgainst(long t, double v, long lastT, long lastVBits, boolean empty) {
    if (empty || t > lastT) {
      return true;
    }
    if (t == lastT) {
      if (Double.doubleToRawLongBits(v) != lastVBits) {
        throw new AppendException(
            AppendException.Reason.DUPLICATE_SAMPLE,
            "timestamp " + t + " has value " + Double.longBitsToDouble(lastVBits) + ", not " + v);
      }
      return false;
    }
    throw new AppendException(AppendException.Reason.OUT_OF_ORDER, "timestamp " + t);
  }

  /** 1 when the newest sample is an integer histogram, 2 for a float histogram, else 0. */
  int lastHistogramKind() {
    if (lastHistogram == null) {
      return 0;
    }
    return lastHistogram instanceof Histogram ? 1 : 2;
  }

  long lastValueBits() {
    return lastVBits;
  }

  /** {@link #append} result: not stored (not newer than the newest sample). */
  static final int REJECTED = 0;
  /** {@link #append} result: stored in the open chunk. */
  static final int APPENDED = 1;
  /** {@link #append} result: stored in a newly started chunk. */
  static final int APPENDED_NEW_CHUNK = 2;

  /**
   * Appends a sample that is newer than every stored one; returns {@link #REJECTED} (and stores
   * nothing) if it is not. Completed chunks go to the store.
   */
  int append(long t, double v, HeadOptions opts, ChunkStore store) {
    if (!isEmpty() && t <= lastT) {
      return REJECTED;
    }
    if (hist != null) {
      closeHistogramChunk(store);
    }
    XorChunk before = open;
    if (open == null) {
      cut(t, opts, store);
    } else {
      int num = open.numSamples();
      if (num == opts.samplesPerChunk() / 4) {
        nextAt = computeChunkEndTime(openMinT, lastT, nextAt, 4);
      }
      if (t >= nextAt || num >= opts.samplesPerChunk() * 2) {
        cut(t, opts, store);
      }
    }
    open.append(t, v);
    lastT = t;
    lastVBits = Double.doubleToRawLongBits(v);
    return open == before ? APPENDED : APPENDED_NEW_CHUNK;
  }

  /**
   * Appends a native histogram (exactly one of {@code h}, {@code fh} non-null, owned by the series
   * afterwards) newer than every stored sample, as Prometheus's {@code appendHistogram} and
   * {@code histogramsAppendPreprocessor}: a new chunk on a change of encoding, at the predicted
   * end time (estimated once the chunk holds a quarter of {@value OpenHistogramChunk#TARGET_BYTES}
   * bytes) or at twice that size, once it holds {@value OpenHistogramChunk#MIN_SAMPLES} samples or
   * the chunk range ends; and wherever the chunk appender cuts (counter reset, schema change).
   */
  int appendHistogram(long t, Histogram h, FloatHistogram fh, HeadOptions opts, ChunkStore store) {
    if (!isEmpty() && t <= lastT) {
      return REJECTED;
    }
    ChunkEncoding enc = h != null ? ChunkEncoding.HISTOGRAM : ChunkEncoding.FLOAT_HISTOGRAM;
    boolean created = false;
    HistogramAppender prevApp = null;
    FloatHistogramAppender prevFloatApp = null;
    if (hist == null || hist.encoding() != enc) {
      if (open != null && open.numSamples() > 0) {
        open.compact();
        addDone(store.write(ref, openMinT, lastT, open), openMinT, lastT);
      }
      open = null;
      closeHistogramChunk(store);
      hist = new OpenHistogramChunk(enc, t, rangeForTimestamp(t, opts.chunkRangeMillis()));
      created = true;
    } else {
      int numSamples = hist.numSamples();
      int numBytes = hist.chunk().length();
      long nextRangeStart = hist.computedEndTime
          ? rangeForTimestamp(hist.minT, opts.chunkRangeMillis())
          : hist.nextAt;
      if (!hist.computedEndTime && numBytes >= OpenHistogramChunk.TARGET_BYTES / 4) {
        double ratioToFull = (double) OpenHistogramChunk.TARGET_BYTES / numBytes;
        hist.nextAt = computeChunkEndTime(hist.minT, lastT, hist.nextAt, ratioToFull);
        hist.computedEndTime = true;
      }
      if ((t >= hist.nextAt || numBytes >= OpenHistogramChunk.TARGET_BYTES * 2)
          && (numSamples >= OpenHistogramChunk.MIN_SAMPLES || t >= nextRangeStart)) {
        prevApp = hist.app;
        prevFloatApp = hist.floatApp;
        closeHistogramChunk(store);
        hist = new OpenHistogramChunk(enc, t, rangeForTimestamp(t, opts.chunkRangeMillis()));
        created = true;
      }
    }
    if (h != null) {
      HistogramAppender next = hist.app.append(prevApp, t, h);
      if (next != hist.app) {
        if (!next.recoded()) {
          closeHistogramChunk(store);
          hist = new OpenHistogramChunk(enc, t, rangeForTimestamp(t, opts.chunkRangeMillis()));
          created = true;
        }
        hist.app = next;
      }
      lastHistogram = h;
    } else {
      FloatHistogramAppender next = hist.floatApp.append(prevFloatApp, t, fh);
      if (next != hist.floatApp) {
        if (!next.recoded()) {
          closeHistogramChunk(store);
          hist = new OpenHistogramChunk(enc, t, rangeForTimestamp(t, opts.chunkRangeMillis()));
          created = true;
        }
        hist.floatApp = next;
      }
      lastHistogram = fh;
    }
    lastT = t;
    return created ? APPENDED_NEW_CHUNK : APPENDED;
  }

  /** Moves the open histogram chunk, if it holds samples, to the completed chunks. */
  private void closeHistogramChunk(ChunkStore store) {
    if (hist == null) {
      return;
    }
    if (hist.numSamples() > 0) {
      hist.chunk().compact();
      addDone(store.write(ref, hist.minT, lastT, hist.chunk()), hist.minT, lastT);
    }
    hist = null;
    lastHistogram = null;
  }

  private void cut(long t, HeadOptions opts, ChunkStore store) {
    if (open != null && open.numSamples() > 0) {
      open.compact();
      addDone(store.write(ref, openMinT, lastT, open), openMinT, lastT);
    }
    open = new XorChunk();
    openMinT = t;
    nextAt = rangeForTimestamp(t, opts.chunkRangeMillis());
  }

  private void addDone(long chunkRef, long minT, long maxT) {
    if (3 * doneCount == done.length) {
      done = Arrays.copyOf(done, 3 * Math.max(4, doneCount * 2));
    }
    done[3 * doneCount] = chunkRef;
    done[3 * doneCount + 1] = minT;
    done[3 * doneCount + 2] = maxT;
    doneCount++;
  }

  private long doneRef(int i) {
    return done[3 * i];
  }

  private long doneMinT(int i) {
    return done[3 * i + 1];
  }

  private long doneMaxT(int i) {
    return done[3 * i + 2];
  }

  /**
   * Restart: adds a completed chunk found in a head chunk file. Chunks must come oldest first
   * and before any sample is appended; the newest sample's time and value are taken from it.
   */
  void attachCompleted(long chunkRef, long minT, long maxT, Chunk chunk) {
    if (open != null && open.numSamples() > 0 || hist != null
        || maxT <= lastT && lastT != Long.MIN_VALUE) {
      throw new IllegalStateException("attach chunks before appending, oldest first");
    }
    addDone(chunkRef, minT, maxT);
    lastT = maxT;
    dev.kiln.tsdb.storage.SampleIterator it = chunk.iterator(null);
    ValueType vt;
    while ((vt = it.next()) != ValueType.NONE) {
      if (vt == ValueType.FLOAT) {
        lastVBits = Double.doubleToRawLongBits(it.atV());
        lastHistogram = null;
      } else if (vt == ValueType.HISTOGRAM) {
        lastHistogram = it.atHistogram(null);
      } else {
        lastHistogram = it.atFloatHistogram(null);
      }
    }
  }

  /** Start of the next chunk range after {@code t}, as Prometheus's rangeForTimestamp. */
  static long rangeForTimestamp(long t, long width) {
    return (t / width) * width + width;
  }

  /**
   * Prometheus's estimate of when to cut a chunk that is {@code 1/ratioToFull} full, so that the
   * remaining chunks of the range come out equally sized.
   */
  static long computeChunkEndTime(long start, long cur, long maxT, double ratioToFull) {
    double n = (double) (maxT - start) / ((double) (cur - start + 1) * ratioToFull);
    if (n <= 1) {
      return maxT;
    }
    return (long) ((double) start + (double) (maxT - start) / Math.floor(n));
  }

  /** How many of {@link #chunksIn}'s chunks for [mint, maxt] are complete (the first ones; the rest are open). */
  int completeChunksIn(long mint, long maxt) {
    int n = 0;
    for (int i = 0; i < doneCount; i++) {
      if (doneMinT(i) <= maxt && mint <= doneMaxT(i)) {
        n++;
      }
    }
    return n;
  }

  /** Whether {@link #chunksIn} would return a chunk, without reading or copying any. */
  boolean hasChunksIn(long mint, long maxt) {
    for (int i = 0; i < doneCount; i++) {
      if (doneMinT(i) <= maxt && mint <= doneMaxT(i)) {
        return true;
      }
    }
    if (open != null && open.numSamples() > 0 && openMinT <= maxt && mint <= lastT) {
      return true;
    }
    return hist != null && hist.numSamples() > 0 && hist.minT <= maxt && mint <= lastT;
  }

  /** Chunks overlapping [mint, maxt], oldest first; the open chunk is copied. */
  List<ChunkMeta> chunksIn(long mint, long maxt, ChunkStore store) {
    List<ChunkMeta> out = new ArrayList<>(doneCount + 1);
    for (int i = 0; i < doneCount; i++) {
      if (doneMinT(i) <= maxt && mint <= doneMaxT(i)) {
        out.add(new ChunkMeta(doneMinT(i), doneMaxT(i), store.read(doneRef(i))));
      }
    }
    if (open != null && open.numSamples() > 0 && openMinT <= maxt && mint <= lastT) {
      out.add(new ChunkMeta(openMinT, lastT, open.snapshot()));
    }
    if (hist != null && hist.numSamples() > 0 && hist.minT <= maxt && mint <= lastT) {
      out.add(new ChunkMeta(hist.minT, lastT, hist.chunk().snapshot()));
    }
    return out;
  }

  /**
   * Whether any sample lies in [mint, maxt], decided from chunk time ranges where possible and
   * by decoding only a chunk that spans the whole range.
   */
  boolean hasSamplesIn(long mint, long maxt, ChunkStore store) {
    for (int i = 0; i < doneCount; i++) {
      if (overlapHasSample(doneMinT(i), doneMaxT(i), mint, maxt)) {
        return true;
      }
      if (doneMinT(i) < mint && doneMaxT(i) > maxt && hasSampleDecoded(store.read(doneRef(i)), mint, maxt)) {
        return true;
      }
    }
    if (open != null && open.numSamples() > 0) {
      if (overlapHasSample(openMinT, lastT, mint, maxt)) {
        return true;
      }
      return openMinT < mint && lastT > maxt && hasSampleDecoded(open, mint, maxt);
    }
    if (hist != null && hist.numSamples() > 0) {
      if (overlapHasSample(hist.minT, lastT, mint, maxt)) {
        return true;
      }
      return hist.minT < mint && lastT > maxt && hasSampleDecoded(hist.chunk(), mint, maxt);
    }
    return false;
  }

  /** True when the chunk's first or last sample lies in the range. */
  private static boolean overlapHasSample(long cmin, long cmax, long mint, long maxt) {
    return (cmin >= mint && cmin <= maxt) || (cmax >= mint && cmax <= maxt);
  }

  private static boolean hasSampleDecoded(Chunk c, long mint, long maxt) {
    dev.kiln.tsdb.storage.SampleIterator it = c.iterator(null);
    return it.seek(mint) != dev.kiln.tsdb.storage.ValueType.NONE && it.atT() <= maxt;
  }

  /** Number of chunks in the head, open chunk included. */
  int chunkCount() {
    return doneCount + (open != null && open.numSamples() > 0 ? 1 : 0)
        + (hist != null && hist.numSamples() > 0 ? 1 : 0);
  }

  /**
   * Drops completed chunks that end before {@code mint} and, when the open chunk ends before it
   * too, the open chunk. Returns true when the series is left without samples.
   */
  boolean truncateBefore(long mint) {
    int drop = 0;
    while (drop < doneCount && doneMaxT(drop) < mint) {
      drop++;
    }
    if (drop > 0) {
      int left = doneCount - drop;
      done = Arrays.copyOfRange(done, 3 * drop, 3 * (drop + Math.max(left, 0)));
      doneCount = left;
    }
    if (open != null && open.numSamples() > 0 && lastT < mint && doneCount == 0) {
      open = null;
      return true;
    }
    if (hist != null && hist.numSamples() > 0 && lastT < mint && doneCount == 0) {
      hist = null;
      lastHistogram = null;
      return true;
    }
    return doneCount == 0 && (open == null || open.numSamples() == 0)
        && (hist == null || hist.numSamples() == 0);
  }

  /** Approximate heap bytes of this series (object, chunk references, open chunk). */
  long heapBytes() {
    long b = 96 + 16 + 8L * done.length;
    if (open != null) {
      b += open.heapBytes();
    }
    if (hist != null) {
      b += 64 + hist.chunk().heapBytes();
    }
    return b;
  }
}
