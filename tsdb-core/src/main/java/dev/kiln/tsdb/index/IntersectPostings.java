package dev.kiln.tsdb.index;

import java.util.Comparator;
import java.util.List;

/** Cursor intersection of several {@link Postings}, cheapest first (leapfrog seeking). */
final class IntersectPostings implements Postings {
  private final Postings[] its;
  private long cur = -1;
  private boolean done;

  IntersectPostings(List<Postings> inputs) {
    inputs.sort(Comparator.comparingLong(Postings::cost));
    this.its = inputs.toArray(new Postings[0]);
  }

  @Override
  public boolean next() {
    if (done) {
      return false;
    }
    if (!its[0].next()) {
      done = true;
      return false;
    }
    return align(its[0].at());
  }

  @Override
  public boolean seek(long v) {
    if (done) {
      return false;
    }
    if (cur >= v && cur != -1) {
      return true;
    }
    if (!its[0].seek(v)) {
      done = true;
      return false;
    }
    return align(its[0].at());
  }

  /** Seeks every input to a common reference at or after {@code target}. */
  private boolean align(long target) {
    while (true) {
      boolean agreed = true;
      for (Postings p : its) {
        if (!p.seek(target)) {
          done = true;
          return false;
        }
        if (p.at() > target) {
          target = p.at();
          agreed = false;
        }
      }
      if (agreed) {
        cur = target;
        return true;
      }
    }
  }

  @Override
  public long at() {
    return cur;
  }

  @Override
  public long cost() {
    return its[0].cost();
  }
}
