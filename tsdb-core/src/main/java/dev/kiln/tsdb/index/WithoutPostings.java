package dev.kiln.tsdb.index;

/** References of one {@link Postings} that are absent from another. */
final class WithoutPostings implements Postings {
  private final Postings full;
  private final Postings drop;
  private boolean dropDone;
  private boolean done;

  WithoutPostings(Postings full, Postings drop) {
    this.full = full;
    this.drop = drop;
  }

  private boolean skipDropped() {
    while (true) {
      long v = full.at();
      if (!dropDone) {
        boolean found = drop.seek(v);
        if (!found) {
          dropDone = true;
        } else if (drop.at() == v) {
          if (!full.next()) {
            done = true;
            return false;
          }
          continue;
        }
      }
      return true;
    }
  }

  @Override
  public boolean next() {
    if (done || !full.next()) {
      done = true;
      return false;
    }
    return skipDropped();
  }

  @Override
  public boolean seek(long v) {
    if (done || !full.seek(v)) {
      done = true;
      return false;
    }
    return skipDropped();
  }

  @Override
  public long at() {
    return full.at();
  }

  @Override
  public long cost() {
    return full.cost();
  }
}
