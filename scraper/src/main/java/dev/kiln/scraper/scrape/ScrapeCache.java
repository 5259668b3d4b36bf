package dev.kiln.scraper.scrape;

import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.tsdb.model.Labels;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One scrape loop's cache: from the series text of an exposition line (metric name and label
 * block, as bytes) to the series it becomes after target labels and metric relabeling, or to
 * "dropped". A series seen before costs one byte comparison per scrape (or a hash lookup when the
 * page changed order); labels are built and relabeled only for
 * series text not seen in the previous successful scrape. Distinct series texts with equal final
 * labels (relabeling can merge them) share one {@link Series}.
 *
 * <p>Entries are small integers, stored column-wise in arrays in the order they were added (page
 * order) with their texts back to back in one byte array, so that walking a page that did not
 * change reads memory sequentially. Each entry links to the entry that followed it in the last
 * scrape: the first guess for the next line.
 *
 * <p>The entries are valid only for the loop's configuration (target labels, relabeling):
 * a reloaded loop starts with an empty cache. Not thread-safe; owned by the scraping thread.
 */
final class ScrapeCache {
  /** No entry. */
  static final int NONE = -1;

  /** A series as written to storage, with what staleness tracking needs. */
  static final class Series {
    final Labels labels;
    /** Storage reference, 0 until known. */
    long ref;
    /** The scrape (generation) that last wrote a sample of the series. */
    int seenIn;
    /** Part of the previous successful scrape, so stale-marked if missing from this one. */
    boolean inLast;
    /** This scrape's sample takes part in staleness (no explicit timestamp, or tracked anyway). */
    boolean tracked;
    /**
     * An OpenMetrics {@code _created} line that metric relabeling drops: never stored, but still
     * read for its created timestamp (its labels are the scraped ones with the target's merged in).
     */
    final boolean createdOnly;

    Series(Labels labels) {
      this(labels, false);
    }

    Series(Labels labels, boolean createdOnly) {
      this.labels = labels;
      this.createdOnly = createdOnly;
    }
  }

  private byte[] texts = new byte[4096];
  private int textsLength;
  private int[] textStart = new int[64];
  private int[] textLength = new int[64];
  private int[] hashes = new int[64];
  private int[] seen = new int[64];
  private int[] next = new int[64];
  /** Null where metric relabeling drops the series. */
  private Series[] series = new Series[64];
  private int count;
  /** Open addressing: entry + 1, 0 for an empty slot. */
  private int[] table = new int[128];
  /** The first entry of the last scrape. */
  private int first = NONE;
  private final Map<Labels, Series> byLabels = new HashMap<>();

  /** Whether entry {@code e} is the series text {@code buf[start, end)}. */
  boolean matches(int e, byte[] buf, int start, int end) {
    int len = textLength[e];
    int s = textStart[e];
    return len == end - start && Arrays.equals(texts, s, s + len, buf, start, end);
  }

  /** The entry of the series text {@code buf[start, end)}, or {@link #NONE}. */
  int get(byte[] buf, int start, int end) {
    int hash = ExpositionParser.hash(buf, start, end);
    int[] t = table;
    int mask = t.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      int slot = t[i];
      if (slot == 0) {
        return NONE;
      }
      int e = slot - 1;
      if (hashes[e] == hash && matches(e, buf, start, end)) {
        return e;
      }
    }
  }

  /** Adds an entry for a series text {@link #get} did not find; the bytes are copied. */
  int put(byte[] buf, int start, int end, Series s) {
    int len = end - start;
    if (count == seen.length) {
      int cap = count * 2;
      textStart = Arrays.copyOf(textStart, cap);
      textLength = Arrays.copyOf(textLength, cap);
      hashes = Arrays.copyOf(hashes, cap);
      seen = Arrays.copyOf(seen, cap);
      next = Arrays.copyOf(next, cap);
      series = Arrays.copyOf(series, cap);
    }
    if (textsLength + len > texts.length) {
      texts = Arrays.copyOf(texts, Math.max(texts.length * 2, textsLength + len));
    }
    System.arraycopy(buf, start, texts, textsLength, len);
    int e = count++;
    textStart[e] = textsLength;
    textLength[e] = len;
    textsLength += len;
    hashes[e] = ExpositionParser.hash(buf, start, end);
    seen[e] = 0;
    next[e] = NONE;
    series[e] = s;
    if (count * 2 > table.length) {
      rebuildTable(table.length * 2);
    } else {
      insert(table, e);
    }
    return e;
  }

  /** The series of an entry; null when relabeling drops it. */
  Series series(int e) {
    return series[e];
  }

  /** The scrape (generation) that last saw an entry. */
  int seen(int e) {
    return seen[e];
  }

  void setSeen(int e, int generation) {
    seen[e] = generation;
  }

  /** The entry that followed {@code e} in the last scrape, or {@link #NONE}. */
  int next(int e) {
    return next[e];
  }

  void setNext(int e, int following) {
    next[e] = following;
  }

  /** The first entry of the last scrape, or {@link #NONE}. */
  int first() {
    return first;
  }

  void setFirst(int e) {
    first = e;
  }

  /** The shared series for final labels, created when new. */
  Series series(Labels labels) {
    Series s = byLabels.get(labels);
    if (s == null) {
      s = new Series(labels);
      byLabels.put(labels, s);
    }
    return s;
  }

  /** Number of series texts. */
  int size() {
    return count;
  }

  /** Number of distinct series. */
  int seriesCount() {
    return byLabels.size();
  }

  /** Keeps only the series texts seen in scrape {@code generation}, and their series; keeps their order. */
  void retain(int generation) {
    int[] remap = new int[count];
    int live = 0;
    int liveBytes = 0;
    for (int e = 0; e < count; e++) {
      if (seen[e] == generation) {
        remap[e] = live++;
        liveBytes += textLength[e];
      } else {
        remap[e] = NONE;
      }
    }
    int cap = 64;
    while (cap < live) {
      cap <<= 1;
    }
    byte[] nTexts = new byte[Math.max(4096, liveBytes)];
    int[] nStart = new int[cap];
    int[] nLength = new int[cap];
    int[] nHashes = new int[cap];
    int[] nSeen = new int[cap];
    int[] nNext = new int[cap];
    Series[] nSeries = new Series[cap];
    int pos = 0;
    byLabels.clear();
    for (int e = 0; e < count; e++) {
      int to = remap[e];
      if (to == NONE) {
        continue;
      }
      int len = textLength[e];
      System.arraycopy(texts, textStart[e], nTexts, pos, len);
      nStart[to] = pos;
      nLength[to] = len;
      pos += len;
      nHashes[to] = hashes[e];
      nSeen[to] = seen[e];
      nNext[to] = next[e] == NONE ? NONE : remap[next[e]];
      nSeries[to] = series[e];
      if (series[e] != null && !series[e].createdOnly) {
        byLabels.put(series[e].labels, series[e]);
      }
    }
    first = first == NONE ? NONE : remap[first];
    texts = nTexts;
    textsLength = pos;
    textStart = nStart;
    textLength = nLength;
    hashes = nHashes;
    seen = nSeen;
    next = nNext;
    series = nSeries;
    count = live;
    int tableCap = 128;
    while (tableCap < live * 2 + 2) {
      tableCap <<= 1;
    }
    rebuildTable(tableCap);
  }

  /** Empties the cache. */
  void clear() {
    texts = new byte[4096];
    textsLength = 0;
    textStart = new int[64];
    textLength = new int[64];
    hashes = new int[64];
    seen = new int[64];
    next = new int[64];
    series = new Series[64];
    count = 0;
    table = new int[128];
    first = NONE;
    byLabels.clear();
  }

  private void rebuildTable(int capacity) {
    int[] t = new int[capacity];
    for (int e = 0; e < count; e++) {
      insert(t, e);
    }
    table = t;
  }

  private void insert(int[] t, int e) {
    int mask = t.length - 1;
    int i = hashes[e] & mask;
    while (t[i] != 0) {
      i = (i + 1) & mask;
    }
    t[i] = e + 1;
  }
}
