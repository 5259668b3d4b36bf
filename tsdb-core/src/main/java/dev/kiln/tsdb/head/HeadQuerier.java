package dev.kiln.tsdb.head;

import dev.kiln.tsdb.chunk.ChunkMeta;
import dev.kiln.tsdb.chunk.ChunksSampleIterator;
import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.ListSeriesSet;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SelectHints;
import dev.kiln.tsdb.storage.Series;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.StorageException;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads the {@link Head} over [mint, maxt]. Each call takes a consistent snapshot of the matched
 * series (copies of open chunks, references to completed ones) under the head's isolation lock,
 * then reads without locks. Only series with at least one sample in the range are returned.
 * Single-thread, except that {@link #select} may run on several threads at once: it keeps no
 * state in the querier (each call takes its own snapshot, as a sequential call would).
 */
final class HeadQuerier implements Querier {
  private final Head head;
  private final long mint;
  private final long maxt;
  private boolean closed;

  HeadQuerier(Head head, long mint, long maxt) {
    this.head = head;
    this.mint = mint;
    this.maxt = maxt;
  }

  @Override
  public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
    List<HeadSeries> out = snapshot(matchers);
    if (sorted) {
      out.sort(Comparator.comparing(HeadSeries::labels));
    }
    return new ListSeriesSet(out);
  }

  private List<HeadSeries> snapshot(LabelMatcher... matchers) {
    checkOpen();
    if (head.maxTime() < mint || head.minTime() > maxt) {
      return new ArrayList<>();
    }
    List<HeadSeries> out = new ArrayList<>();
    long stamp = head.isolation.writeLock();
    try {
      RoaringBitmap ids = head.postings().select(matchers);
      for (MemSeries s : head.seriesFor(ids)) {
        List<ChunkMeta> chunks;
        int complete;
        synchronized (s) {
          chunks = s.chunksIn(mint, maxt, head.store());
          complete = s.completeChunksIn(mint, maxt);
        }
        if (!chunks.isEmpty()) {
          out.add(new HeadSeries(s.labels, chunks, complete, mint, maxt));
        }
      }
    } finally {
      head.isolation.unlockWrite(stamp);
    }
    out.removeIf(s -> !s.hasSamples());
    return out;
  }

  /** True: a selection's snapshot and its series are its own; the head is thread-safe. */
  @Override
  public boolean concurrentSelect() {
    return true;
  }

  @Override
  public List<String> labelNames(LabelMatcher... matchers) {
    checkOpen();
    if (matchers.length == 0 && coversHead()) {
      return head.postings().labelNames();
    }
    TreeSet<String> names = new TreeSet<>(Utf8Order.COMPARATOR);
    for (Labels l : seriesWithSamples(matchers)) {
      for (int i = 0; i < l.size(); i++) {
        names.add(l.name(i));
      }
    }
    return new ArrayList<>(names);
  }

  @Override
  public List<String> labelValues(String name, LabelMatcher... matchers) {
    checkOpen();
    if (matchers.length == 0 && coversHead()) {
      return head.postings().labelValues(name);
    }
    TreeSet<String> values = new TreeSet<>(Utf8Order.COMPARATOR);
    for (Labels l : seriesWithSamples(matchers)) {
      String v = l.get(name);
      if (v != null) {
        values.add(v);
      }
    }
    return new ArrayList<>(values);
  }

  /**
   * Labels of matching series with a sample in the range. Decided per series from chunk time
   * ranges, without copying chunks and without the isolation lock: label queries see each
   * series as of when it is visited.
   */
  private List<Labels> seriesWithSamples(LabelMatcher... matchers) {
    List<Labels> out = new ArrayList<>();
    if (head.maxTime() < mint || head.minTime() > maxt) {
      return out;
    }
    RoaringBitmap ids = head.postings().select(matchers);
    for (MemSeries s : head.seriesFor(ids)) {
      boolean has;
      synchronized (s) {
        has = s.hasSamplesIn(mint, maxt, head.store());
      }
      if (has) {
        out.add(s.labels);
      }
    }
    return out;
  }

  /** True when the range holds every sample of the head, so the index alone answers. */
  private boolean coversHead() {
    return mint <= head.minTime() && maxt >= head.maxTime();
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageException("querier is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  /** A snapshot of one series. */
  static final class HeadSeries implements Series {
    private final Labels labels;
    private final List<ChunkMeta> chunks;
    /** How many of the chunks (the first ones) are complete; the others are copies of open chunks. */
    private final int complete;
    private final long mint;
    private final long maxt;

    HeadSeries(Labels labels, List<ChunkMeta> chunks, long mint, long maxt) {
      this(labels, chunks, 0, mint, maxt);
    }

    HeadSeries(Labels labels, List<ChunkMeta> chunks, int complete, long mint, long maxt) {
      this.labels = labels;
      this.chunks = chunks;
      this.complete = complete;
      this.mint = mint;
      this.maxt = maxt;
    }

    @Override
    public Labels labels() {
      return labels;
    }

    boolean hasSamples() {
      for (int i = 0; i < chunks.size(); i++) {
        ChunkMeta c = chunks.get(i);
        if (c.minTime() >= mint && c.minTime() <= maxt) {
          return true;
        }
        if (c.maxTime() >= mint && c.maxTime() <= maxt) {
          return true;
        }
      }
      return iterator(null).next() != ValueType.NONE;
    }

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
      return new ChunksSampleIterator(chunks, mint, maxt, reuse);
    }

    /** The complete chunks as stored; open chunks (still appended to) as their time range alone. */
    @Override
    public List<dev.kiln.tsdb.storage.StoredChunk> storedChunks() {
      List<dev.kiln.tsdb.storage.StoredChunk> out = new java.util.ArrayList<>(chunks.size());
      for (int i = 0; i < chunks.size(); i++) {
        ChunkMeta c = chunks.get(i);
        out.add(c.stored(i < complete));
      }
      return out;
    }
  }
}
