package dev.kiln.tsdb.index;

import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * A cursor over a strictly increasing list of series references (non-negative). Single-thread.
 * Before the first {@link #next()} or {@link #seek(long)} the cursor is before the first element.
 *
 * <p>Combine lists with {@link #intersect}, {@link #merge} and {@link #without}; when every input
 * is an unconsumed {@link BitmapPostings} they combine with bitmap operations instead of cursors.
 */
public interface Postings {
  /** Advances to the next reference; false when exhausted. */
  boolean next();

  /**
   * Advances to the first reference {@code >= v}; does not move when already on one. False when
   * no such reference exists.
   */
  boolean seek(long v);

  /** The current reference. */
  long at();

  /** Estimated number of references left; used to order intersections, cheapest first. */
  long cost();

  /** A list with no references. */
  Postings EMPTY = new ListPostings(new long[0]);

  /** References present in every input. An empty input list gives {@link #EMPTY}. */
  static Postings intersect(List<? extends Postings> its) {
    if (its.isEmpty()) {
      return EMPTY;
    }
    if (its.size() == 1) {
      return its.get(0);
    }
    if (allBitmaps(its)) {
      RoaringBitmap[] bms = bitmaps(its);
      java.util.Arrays.sort(bms, java.util.Comparator.comparingInt(RoaringBitmap::getCardinality));
      RoaringBitmap acc = RoaringBitmap.and(bms[0], bms[1]);
      for (int i = 2; i < bms.length && !acc.isEmpty(); i++) {
        acc.and(bms[i]);
      }
      return new BitmapPostings(acc);
    }
    for (Postings p : its) {
      if (p == EMPTY) {
        return EMPTY;
      }
    }
    return new IntersectPostings(new ArrayList<>(its));
  }

  /** References present in at least one input, without duplicates. */
  static Postings merge(List<? extends Postings> its) {
    if (its.isEmpty()) {
      return EMPTY;
    }
    if (its.size() == 1) {
      return its.get(0);
    }
    if (allBitmaps(its)) {
      return new BitmapPostings(
          org.roaringbitmap.FastAggregation.or(java.util.Arrays.asList(bitmaps(its)).iterator()));
    }
    return new MergedPostings(new ArrayList<>(its));
  }

  /** References of {@code full} that are not in {@code drop}. */
  static Postings without(Postings full, Postings drop) {
    if (full instanceof BitmapPostings f
        && drop instanceof BitmapPostings d
        && f.isFresh()
        && d.isFresh()) {
      return new BitmapPostings(RoaringBitmap.andNot(f.bitmap(), d.bitmap()));
    }
    if (drop == EMPTY) {
      return full;
    }
    return new WithoutPostings(full, drop);
  }

  /** Drains the rest of the cursor into a list. */
  static long[] toArray(Postings p) {
    long[] out = new long[16];
    int n = 0;
    while (p.next()) {
      if (n == out.length) {
        out = java.util.Arrays.copyOf(out, n * 2);
      }
      out[n++] = p.at();
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static boolean allBitmaps(List<? extends Postings> its) {
    for (Postings p : its) {
      if (!(p instanceof BitmapPostings b) || !b.isFresh()) {
        return false;
      }
    }
    return true;
  }

  private static RoaringBitmap[] bitmaps(List<? extends Postings> its) {
    RoaringBitmap[] out = new RoaringBitmap[its.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((BitmapPostings) its.get(i)).bitmap();
    }
    return out;
  }
}
