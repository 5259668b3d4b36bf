package dev.kiln.tsdb.index;

/** {@link Postings} over a sorted array of references, which it does not copy. */
public final class ListPostings implements Postings {
  private final long[] refs;
  private int pos = -1;

  /** The array must be strictly increasing and must not change while iterated. */
  public ListPostings(long[] sortedRefs) {
    this.refs = sortedRefs;
  }

  @Override
  public boolean next() {
    if (pos < refs.length) {
      pos++;
    }
    return pos < refs.length;
  }

  @Override
  public boolean seek(long v) {
    if (pos < 0) {
      pos = 0;
    }
    if (pos >= refs.length) {
      return false;
    }
    if (refs[pos] >= v) {
      return true;
    }
    // Gallop forward from the current position, then binary-search the last step.
    int lo = pos + 1;
    int step = 1;
    int hi = lo;
    while (hi < refs.length && refs[hi] < v) {
      lo = hi + 1;
      hi += step;
      step <<= 1;
    }
    hi = Math.min(hi, refs.length);
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (refs[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    pos = lo;
    return pos < refs.length;
  }

  @Override
  public long at() {
    return refs[pos];
  }

  @Override
  public long cost() {
    return refs.length - Math.max(pos, 0);
  }
}
