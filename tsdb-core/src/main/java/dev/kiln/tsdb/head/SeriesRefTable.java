package dev.kiln.tsdb.head;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Series by ref, as a paged array: refs are small dense integers handed out in increasing order,
 * so a lookup is two array reads, without boxing or hashing. Pages whose series have all been
 * removed are freed, so churn does not grow memory without bound.
 *
 * <p>Thread-safe: lookups are lock-free; insertions and removals synchronize on the table.
 */
final class SeriesRefTable {
  private static final int PAGE_BITS = 12;
  private static final int PAGE_SIZE = 1 << PAGE_BITS;

  private volatile Page[] pages = new Page[16];
  private int size;

  private static final class Page {
    final AtomicReferenceArray<MemSeries> slots = new AtomicReferenceArray<>(PAGE_SIZE);
    int live;
  }

  /** The largest ref the table can hold. */
  static final long MAX_REF = Integer.MAX_VALUE;

  MemSeries get(long ref) {
    if (ref <= 0 || ref > MAX_REF) {
      return null;
    }
    Page[] ps = pages;
    int p = (int) (ref >>> PAGE_BITS);
    if (p >= ps.length) {
      return null;
    }
    Page page = ps[p];
    return page == null ? null : page.slots.get((int) (ref & (PAGE_SIZE - 1)));
  }

  synchronized void put(long ref, MemSeries s) {
    if (ref <= 0 || ref > MAX_REF) {
      throw new IllegalStateException("series ref out of range: " + ref);
    }
    int p = (int) (ref >>> PAGE_BITS);
    Page[] ps = pages;
    if (p >= ps.length) {
      Page[] grown = new Page[Math.max(p + 1, ps.length * 2)];
      System.arraycopy(ps, 0, grown, 0, ps.length);
      ps = grown;
    }
    Page page = ps[p];
    if (page == null) {
      page = new Page();
      ps[p] = page;
    }
    pages = ps; // publishes new pages and slots arrays
    if (page.slots.getAndSet((int) (ref & (PAGE_SIZE - 1)), s) == null) {
      page.live++;
      size++;
    }
  }

  /** Removes the entry if it still maps to {@code s}. */
  synchronized boolean remove(long ref, MemSeries s) {
    if (ref <= 0 || ref > MAX_REF) {
      return false;
    }
    Page[] ps = pages;
    int p = (int) (ref >>> PAGE_BITS);
    if (p >= ps.length || ps[p] == null) {
      return false;
    }
    Page page = ps[p];
    if (!page.slots.compareAndSet((int) (ref & (PAGE_SIZE - 1)), s, null)) {
      return false;
    }
    size--;
    if (--page.live == 0) {
      ps[p] = null;
      pages = ps;
    }
    return true;
  }

  synchronized int size() {
    return size;
  }

  /** A snapshot of all series, in ref order. */
  List<MemSeries> values() {
    Page[] ps = pages;
    List<MemSeries> out = new ArrayList<>();
    for (Page page : ps) {
      if (page == null) {
        continue;
      }
      for (int i = 0; i < PAGE_SIZE; i++) {
        MemSeries s = page.slots.get(i);
        if (s != null) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
