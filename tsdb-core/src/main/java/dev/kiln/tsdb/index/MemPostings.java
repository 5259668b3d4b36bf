package dev.kiln.tsdb.index;

import dev.kiln.tsdb.model.Utf8Order;
import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.RoaringBitmap;

/**
 * The head's inverted index: label name → label value → {@link RoaringBitmap} of series ids
 * (non-negative ints). Also interns label strings, so that all series share one instance of
 * each name and value.
 *
 * <p>Thread-safe: writers take a write lock, and {@link #select} evaluates matchers under the
 * read lock and returns a bitmap the caller owns.
 */
public final class MemPostings {
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, LabelEntry> index = new HashMap<>();
  private final RoaringBitmap all = new RoaringBitmap();

  /** One label name: its canonical string and its values. */
  private static final class LabelEntry {
    final String name;
    final Map<String, ValueEntry> values = new HashMap<>();

    LabelEntry(String name) {
      this.name = name;
    }
  }

  /** One label value: its canonical string and the ids of series having it. */
  private static final class ValueEntry {
    final String value;
    final RoaringBitmap ids = new RoaringBitmap();

    ValueEntry(String value) {
      this.value = value;
    }
  }

  /**
   * Adds a series. Returns the same labels with strings replaced by the index's instances (use
   * the returned object to save memory).
   */
  public Labels add(int id, Labels labels) {
    String[] pairs = new String[labels.size() * 2];
    lock.writeLock().lock();
    try {
      for (int i = 0; i < labels.size(); i++) {
        LabelEntry le = index.computeIfAbsent(labels.name(i), LabelEntry::new);
        ValueEntry ve = le.values.computeIfAbsent(labels.value(i), ValueEntry::new);
        ve.ids.add(id);
        pairs[2 * i] = le.name;
        pairs[2 * i + 1] = ve.value;
      }
      all.add(id);
    } finally {
      lock.writeLock().unlock();
    }
    return Labels.ofSortedUnchecked(pairs);
  }

  /**
   * Returns the labels with each name and value replaced by the index's instance where the index
   * already has one (the same object when nothing changes). Does not add anything.
   */
  public Labels intern(Labels labels) {
    String[] pairs = null;
    lock.readLock().lock();
    try {
      for (int i = 0; i < labels.size(); i++) {
        LabelEntry le = index.get(labels.name(i));
        if (le == null) {
          continue;
        }
        ValueEntry ve = le.values.get(labels.value(i));
        String name = le.name;
        String value = ve == null ? labels.value(i) : ve.value;
        if (name != labels.name(i) || value != labels.value(i)) {
          if (pairs == null) {
            pairs = new String[labels.size() * 2];
            for (int j = 0; j < labels.size(); j++) {
              pairs[2 * j] = labels.name(j);
              pairs[2 * j + 1] = labels.value(j);
            }
          }
          pairs[2 * i] = name;
          pairs[2 * i + 1] = value;
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return pairs == null ? labels : Labels.ofSortedUnchecked(pairs);
  }

  /** Removes a series added with these labels. */
  public void delete(int id, Labels labels) {
    lock.writeLock().lock();
    try {
      for (int i = 0; i < labels.size(); i++) {
        LabelEntry le = index.get(labels.name(i));
        if (le == null) {
          continue;
        }
        ValueEntry ve = le.values.get(labels.value(i));
        if (ve == null) {
          continue;
        }
        ve.ids.remove(id);
        if (ve.ids.isEmpty()) {
          le.values.remove(labels.value(i));
          if (le.values.isEmpty()) {
            index.remove(labels.name(i));
          }
        }
      }
      all.remove(id);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Ids of the series matching all matchers (every series when none), as a new bitmap. */
  public RoaringBitmap select(LabelMatcher... matchers) {
    lock.readLock().lock();
    try {
      Postings p = PostingsForMatchers.select(new Reader(), matchers);
      if (p instanceof BitmapPostings b) {
        return b.toOwnedBitmap();
      }
      RoaringBitmap out = new RoaringBitmap();
      while (p.next()) {
        out.add((int) p.at());
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Sorted label names of the index. */
  public List<String> labelNames() {
    lock.readLock().lock();
    try {
      List<String> out = new ArrayList<>(index.keySet());
      out.sort(Utf8Order.COMPARATOR);
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Sorted values of one label. */
  public List<String> labelValues(String name) {
    lock.readLock().lock();
    try {
      LabelEntry le = index.get(name);
      List<String> out = le == null ? new ArrayList<>() : new ArrayList<>(le.values.keySet());
      out.sort(Utf8Order.COMPARATOR);
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of series. */
  public int seriesCount() {
    lock.readLock().lock();
    try {
      return all.getCardinality();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of distinct label name/value pairs. */
  public int labelPairCount() {
    lock.readLock().lock();
    try {
      int n = 0;
      for (LabelEntry le : index.values()) {
        n += le.values.size();
      }
      return n;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Calls {@code consumer(name, value, seriesCount)} for every label pair, under the read lock;
   * the consumer must not call back into this index.
   */
  public void forEachLabelPair(LabelPairConsumer consumer) {
    lock.readLock().lock();
    try {
      for (LabelEntry le : index.values()) {
        for (ValueEntry ve : le.values.values()) {
          consumer.accept(le.name, ve.value, ve.ids.getCardinality());
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Receives label pairs from {@link #forEachLabelPair}. */
  @FunctionalInterface
  public interface LabelPairConsumer {
    void accept(String name, String value, int seriesCount);
  }

  /** Live view for one evaluation; only valid under the read lock. */
  private final class Reader implements PostingsReader {
    @Override
    public Collection<String> labelValues(String name) {
      LabelEntry le = index.get(name);
      return le == null ? List.of() : le.values.keySet();
    }

    @Override
    public Postings postings(String name, Collection<String> wanted) {
      LabelEntry le = index.get(name);
      if (le == null || wanted.isEmpty()) {
        return new BitmapPostings(new RoaringBitmap());
      }
      if (wanted.size() == 1) {
        ValueEntry ve = le.values.get(wanted.iterator().next());
        return ve == null ? new BitmapPostings(new RoaringBitmap()) : new BitmapPostings(ve.ids, true);
      }
      List<RoaringBitmap> bms = new ArrayList<>(wanted.size());
      for (String v : wanted) {
        ValueEntry ve = le.values.get(v);
        if (ve != null) {
          bms.add(ve.ids);
        }
      }
      return new BitmapPostings(FastAggregation.or(bms.iterator()));
    }

    @Override
    public Postings postingsForLabel(String name) {
      LabelEntry le = index.get(name);
      if (le == null) {
        return new BitmapPostings(new RoaringBitmap());
      }
      List<RoaringBitmap> bms = new ArrayList<>(le.values.size());
      for (ValueEntry ve : le.values.values()) {
        bms.add(ve.ids);
      }
      return new BitmapPostings(FastAggregation.or(bms.iterator()));
    }

    @Override
    public Postings allPostings() {
      return new BitmapPostings(all, true);
    }
  }
}
