package dev.kiln.tsdb.head;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import dev.kiln.tsdb.storage.Exemplar;
import dev.kiln.tsdb.storage.ExemplarException;
import dev.kiln.tsdb.storage.ExemplarQuerier;
import dev.kiln.tsdb.storage.SeriesExemplars;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The head's exemplars: one ring buffer of a fixed number of entries shared by all series, the
 * newest overwriting the oldest, with a per-series index of its oldest and newest entry and each
 * entry linked to the series' next one, as Prometheus's {@code tsdb/exemplar.go}
 * {@code CircularExemplarStorage} (3.x). A size of 0 keeps nothing; {@link #resize} keeps as many
 * of the newest entries as fit. Thread-safe (one read-write lock).
 *
 * <p>Appending validates as Prometheus: the exemplar's label names and values together must not
 * exceed {@value Exemplar#MAX_LABEL_SET_RUNES} runes; an exemplar equal to the series' newest one
 * is a duplicate, dropped silently; one older than the newest (or at the same time with a smaller
 * value, or same time and value and smaller labels) is out of order. Prometheus breaks the last
 * tie by label hash, Kiln by label order.
 */
public final class CircularExemplarStorage implements ExemplarQuerier {
  private static final int NONE = -1;

  /** Where a series' exemplars are in the ring. */
  private static final class IndexEntry {
    int oldest;
    int newest;
    final Labels seriesLabels;

    IndexEntry(int oldest, Labels seriesLabels) {
      this.oldest = oldest;
      this.seriesLabels = seriesLabels;
    }
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private Exemplar[] exemplars;
  private int[] next;
  private IndexEntry[] refs;
  private int nextIndex;
  private Map<Labels, IndexEntry> index;
  private long appended;
  private long outOfOrder;
  /** The ring's size, readable without the lock: appenders check it for every exemplar. */
  private volatile int capacity;

  public CircularExemplarStorage(long size) {
    allocate((int) Math.max(0, Math.min(size, Integer.MAX_VALUE - 8)));
  }

  private void allocate(int size) {
    exemplars = new Exemplar[size];
    next = new int[size];
    refs = new IndexEntry[size];
    index = new HashMap<>(Math.max(16, size / 16));
    nextIndex = 0;
    capacity = size;
  }

  /** Whether exemplars are kept at all (size above 0). */
  public boolean enabled() {
    return capacity > 0;
  }

  /**
   * Checks an exemplar of the series before it is appended.
   *
   * @return false when it is to be dropped silently (storage disabled, duplicate of the newest)
   * @throws ExemplarException when it is rejected (label length, out of order)
   */
  public boolean validate(Labels series, Exemplar e) {
    lock.readLock().lock();
    try {
      return check(index.get(series), e, false);
    } finally {
      lock.readLock().unlock();
    }
  }

  private boolean check(IndexEntry idx, Exemplar e, boolean appending) {
    if (exemplars.length == 0) {
      return false;
    }
    int runes = 0;
    Labels l = e.labels();
    for (int i = 0; i < l.size(); i++) {
      runes += l.name(i).codePointCount(0, l.name(i).length());
      runes += l.value(i).codePointCount(0, l.value(i).length());
      if (runes > Exemplar.MAX_LABEL_SET_RUNES) {
        throw new ExemplarException(ExemplarException.Reason.LABEL_LENGTH);
      }
    }
    if (idx == null) {
      return true;
    }
    Exemplar newest = exemplars[idx.newest];
    if (newest.sameAs(e)) {
      return false;
    }
    long t = e.timestampMillis();
    long nt = newest.timestampMillis();
    if (t < nt || (t == nt && e.value() < newest.value())
        || (t == nt && e.value() == newest.value() && e.labels().compareTo(newest.labels()) < 0)) {
      if (appending) {
        outOfOrder++;
      }
      throw new ExemplarException(ExemplarException.Reason.OUT_OF_ORDER);
    }
    return true;
  }

  /**
   * Stores an exemplar of the series (a duplicate of its newest is dropped silently).
   *
   * @throws ExemplarException when it is rejected
   */
  public void add(Labels series, Exemplar e) {
    lock.writeLock().lock();
    try {
      IndexEntry idx = index.get(series);
      if (!check(idx, e, true)) {
        return;
      }
      put(idx, series, e);
      appended++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void put(IndexEntry idx, Labels series, Exemplar e) {
    int at = nextIndex;
    if (idx == null) {
      idx = new IndexEntry(at, series);
      index.put(series, idx);
    } else {
      next[idx.newest] = at;
    }
    IndexEntry prev = refs[at];
    if (prev != null) {
      if (next[at] == NONE) {
        index.remove(prev.seriesLabels);
      } else {
        prev.oldest = next[at];
      }
    }
    exemplars[at] = e;
    next[at] = NONE;
    refs[at] = idx;
    idx.newest = at;
    nextIndex = (at + 1) % exemplars.length;
  }

  /**
   * Changes the number of entries, keeping the newest ones that fit (in append order). Returns
   * how many were kept.
   */
  public int resize(long size) {
    int n = (int) Math.max(0, Math.min(size, Integer.MAX_VALUE - 8));
    lock.writeLock().lock();
    try {
      if (n == exemplars.length) {
        return 0;
      }
      Exemplar[] oldEx = exemplars;
      IndexEntry[] oldRefs = refs;
      int oldNext = nextIndex;
      allocate(n);
      int count = Math.min(n, oldEx.length);
      int migrated = 0;
      if (n > 0 && oldEx.length > 0) {
        int start = ((oldNext - count) % oldEx.length + oldEx.length) % oldEx.length;
        for (int i = 0; i < count; i++) {
          int k = (start + i) % oldEx.length;
          if (oldRefs[k] != null) {
            Labels series = oldRefs[k].seriesLabels;
            put(index.get(series), series, oldEx[k]);
            migrated++;
          }
        }
      }
      return migrated;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public List<SeriesExemplars> select(long start, long end, List<List<LabelMatcher>> matcherSets) {
    List<SeriesExemplars> out = new ArrayList<>();
    lock.readLock().lock();
    try {
      if (exemplars.length == 0) {
        return out;
      }
      for (IndexEntry idx : index.values()) {
        if (exemplars[idx.oldest].timestampMillis() > end || exemplars[idx.newest].timestampMillis() < start) {
          continue;
        }
        if (!matchesSome(idx.seriesLabels, matcherSets)) {
          continue;
        }
        List<Exemplar> found = new ArrayList<>();
        int at = idx.oldest;
        while (exemplars[at].timestampMillis() <= end) {
          if (exemplars[at].timestampMillis() >= start) {
            found.add(exemplars[at]);
          }
          if (next[at] == NONE) {
            break;
          }
          at = next[at];
        }
        if (!found.isEmpty()) {
          out.add(new SeriesExemplars(idx.seriesLabels, found));
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    out.sort((a, b) -> a.seriesLabels().compareTo(b.seriesLabels()));
    return out;
  }

  private static boolean matchesSome(Labels l, List<List<LabelMatcher>> sets) {
    outer:
    for (List<LabelMatcher> set : sets) {
      for (LabelMatcher m : set) {
        if (!m.matches(l)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Every stored exemplar with its series, oldest appended first. */
  public void forEach(java.util.function.BiConsumer<Labels, Exemplar> f) {
    lock.readLock().lock();
    try {
      int l = exemplars.length;
      for (int i = 0, at = nextIndex; i < l; i++, at = (at + 1) % l) {
        if (refs[at] != null) {
          f.accept(refs[at].seriesLabels, exemplars[at]);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Prometheus's {@code prometheus_tsdb_exemplar_*} values. */
  public record Stats(long appended, long inStorage, long seriesInStorage, double lastTimestampSeconds,
      long maxExemplars, long outOfOrder) {}

  public Stats stats() {
    lock.readLock().lock();
    try {
      int len = exemplars.length;
      long inStorage;
      double last = 0;
      if (len == 0) {
        inStorage = 0;
      } else if (refs[nextIndex] != null) {
        inStorage = len;
        last = exemplars[nextIndex].timestampMillis() / 1000.0;
      } else {
        inStorage = nextIndex;
        if (refs[0] != null) {
          last = exemplars[0].timestampMillis() / 1000.0;
        }
      }
      return new Stats(appended, inStorage, index.size(), last, len, outOfOrder);
    } finally {
      lock.readLock().unlock();
    }
  }
}
