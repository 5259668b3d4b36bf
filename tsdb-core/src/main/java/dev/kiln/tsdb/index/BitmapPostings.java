package dev.kiln.tsdb.index;

import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link Postings} over a {@link RoaringBitmap} of 32-bit references (read as unsigned). The
 * bitmap must not change while the cursor is in use; the head passes its own copies.
 */
public final class BitmapPostings implements Postings {
  private final RoaringBitmap bitmap;
  private final boolean shared;
  private PeekableIntIterator it;
  private long cur = -1;

  /** Wraps a bitmap the caller hands over (combining operations may return it as is). */
  public BitmapPostings(RoaringBitmap bitmap) {
    this(bitmap, false);
  }

  /**
   * Wraps a bitmap; {@code shared} marks one still owned elsewhere (a live index entry), which
   * {@link #toOwnedBitmap()} copies instead of handing out.
   */
  public BitmapPostings(RoaringBitmap bitmap, boolean shared) {
    this.bitmap = bitmap;
    this.shared = shared;
  }

  /** The remaining references as a bitmap the caller owns. */
  public RoaringBitmap toOwnedBitmap() {
    if (isFresh()) {
      return shared ? bitmap.clone() : bitmap;
    }
    RoaringBitmap out = new RoaringBitmap();
    if (cur != Long.MAX_VALUE) {
      out.add((int) cur);
      while (next()) {
        out.add((int) cur);
      }
    }
    return out;
  }

  /** The underlying bitmap (not a copy). */
  public RoaringBitmap bitmap() {
    return bitmap;
  }

  /** True while the cursor has not moved, so the whole bitmap is still ahead of it. */
  boolean isFresh() {
    return it == null && cur == -1;
  }

  @Override
  public boolean next() {
    if (it == null) {
      it = bitmap.getIntIterator();
    }
    if (it.hasNext()) {
      cur = Integer.toUnsignedLong(it.next());
      return true;
    }
    cur = Long.MAX_VALUE;
    return false;
  }

  @Override
  public boolean seek(long v) {
    if (it == null) {
      it = bitmap.getIntIterator();
    } else if (cur != -1 && cur >= v) {
      return cur != Long.MAX_VALUE;
    }
    if (v > 0xffffffffL) {
      cur = Long.MAX_VALUE;
      return false;
    }
    it.advanceIfNeeded((int) Math.max(v, 0));
    return next();
  }

  @Override
  public long at() {
    return cur;
  }

  @Override
  public long cost() {
    return bitmap.getLongCardinality();
  }
}
