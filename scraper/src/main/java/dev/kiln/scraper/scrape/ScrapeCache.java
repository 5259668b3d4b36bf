package dev.kiln.scraper.scrape;

import dev.kiln.scraper.parse.ExpositionParser;
import dev.kiln.tsdb.model.Labels;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One scrape loop's cache: from the series text of an exposition line (metric name and label
 * block, as bytes) to the series it becomes after target labels and metric relabeling, or to
 * "dropped". A series seen before costs one hash lookup and one byte comparison per scrape; labels
 * are built, relabeled and checked against the label limits only for series text not seen in the
 * previous successful scrape. Distinct series texts with equal final labels (relabeling can
 * merge them) share one {@link Series}.
 *
 * <p>The entries are valid only for the loop's configuration (target labels, relabeling, limits):
 * a reloaded loop starts with an empty cache. Not thread-safe; owned by the scraping thread.
 */
final class ScrapeCache {
  /** A series as written to storage, with what staleness tracking needs. */
  static final class Series {
    final Labels labels;
    /** Why the series breaks a label limit of the loop's configuration, or null. */
    final String limitError;
    /** Storage reference, 0 until known. */
    long ref;
    /** The scrape (generation) that last wrote a sample of the series. */
    int seenIn;
    /** Part of the previous successful scrape, so stale-marked if missing from this one. */
    boolean inLast;
    /** This scrape's sample takes part in staleness (no explicit timestamp, or tracked anyway). */
    boolean tracked;

    Series(Labels labels, String limitError) {
      this.labels = labels;
      this.limitError = limitError;
    }
  }

  /** One series text. */
  static final class Entry {
    final byte[] key;
    final int hash;
    /** Null when metric relabeling drops the series. */
    final Series series;
    /** The scrape (generation) that last saw the text. */
    int seen;
    /** The text that followed this one in the last scrape: the first guess for the next line. */
    Entry next;

    Entry(byte[] key, int hash, Series series) {
      this.key = key;
      this.hash = hash;
      this.series = series;
    }
  }

  private Entry[] table = new Entry[64];
  private int size;
  /** The first text of the last scrape. */
  Entry first;
  private final Map<Labels, Series> byLabels = new HashMap<>();

  /** Whether {@code e} is the entry of the series text {@code buf[start, end)}. */
  static boolean matches(Entry e, byte[] buf, int start, int end) {
    return e.key.length == end - start && Arrays.equals(e.key, 0, e.key.length, buf, start, end);
  }

  /** The entry for the series text {@code buf[start, end)}, or null. */
  Entry get(byte[] buf, int start, int end) {
    int hash = ExpositionParser.hash(buf, start, end);
    Entry[] t = table;
    int mask = t.length - 1;
    int len = end - start;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      Entry e = t[i];
      if (e == null) {
        return null;
      }
      if (e.hash == hash && e.key.length == len && Arrays.equals(e.key, 0, len, buf, start, end)) {
        return e;
      }
    }
  }

  /** Adds an entry for a series text {@link #get} did not find; the key bytes are copied. */
  Entry put(byte[] buf, int start, int end, Series series) {
    int hash = ExpositionParser.hash(buf, start, end);
    if ((size + 1) * 2 > table.length) {
      rehash(table.length * 2, true, 0);
    }
    Entry e = new Entry(Arrays.copyOfRange(buf, start, end), hash, series);
    insert(table, e);
    size++;
    return e;
  }

  /** The shared series for final labels, created (with {@code limitCheck}'s verdict) when new. */
  Series series(Labels labels, Function<Labels, String> limitCheck) {
    Series s = byLabels.get(labels);
    if (s == null) {
      s = new Series(labels, limitCheck.apply(labels));
      byLabels.put(labels, s);
    }
    return s;
  }

  /** Number of series texts. */
  int size() {
    return size;
  }

  /** Number of distinct series. */
  int seriesCount() {
    return byLabels.size();
  }

  /** Keeps only the series texts seen in scrape {@code generation}, and their series. */
  void retain(int generation) {
    int live = 0;
    for (Entry e : table) {
      if (e != null && e.seen == generation) {
        live++;
      }
    }
    int cap = 64;
    while (cap < live * 2 + 2) {
      cap <<= 1;
    }
    rehash(cap, false, generation);
    byLabels.clear();
    for (Entry e : table) {
      if (e != null && e.series != null) {
        byLabels.put(e.series.labels, e.series);
      }
    }
  }

  /** Empties the cache. */
  void clear() {
    first = null;
    table = new Entry[64];
    size = 0;
    byLabels.clear();
  }

  /** Rebuilds the table at {@code capacity}; keeps everything, or only entries seen in {@code generation}. */
  private void rehash(int capacity, boolean all, int generation) {
    Entry[] next = new Entry[capacity];
    int n = 0;
    for (Entry e : table) {
      if (e != null && (all || e.seen == generation)) {
        insert(next, e);
        n++;
      }
    }
    table = next;
    size = n;
  }

  private static void insert(Entry[] t, Entry e) {
    int mask = t.length - 1;
    int i = e.hash & mask;
    while (t[i] != null) {
      i = (i + 1) & mask;
    }
    t[i] = e;
  }
}
