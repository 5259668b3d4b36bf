package dev.kiln.tsdb.index;

import java.util.List;
import java.util.PriorityQueue;

/** Cursor union of several {@link Postings}, without duplicates. */
final class MergedPostings implements Postings {
  private final List<Postings> inputs;
  private PriorityQueue<Postings> heap;
  private long cur = -1;
  private boolean done;

  MergedPostings(List<Postings> inputs) {
    this.inputs = inputs;
  }

  private void init(long from) {
    heap = new PriorityQueue<>(Math.max(1, inputs.size()), (a, b) -> Long.compare(a.at(), b.at()));
    for (Postings p : inputs) {
      if (from < 0 ? p.next() : p.seek(from)) {
        heap.add(p);
      }
    }
  }

  @Override
  public boolean next() {
    if (done) {
      return false;
    }
    if (heap == null) {
      init(-1);
    } else {
      while (!heap.isEmpty() && heap.peek().at() == cur) {
        Postings p = heap.poll();
        if (p.next()) {
          heap.add(p);
        }
      }
    }
    if (heap.isEmpty()) {
      done = true;
      return false;
    }
    cur = heap.peek().at();
    return true;
  }

  @Override
  public boolean seek(long v) {
    if (done) {
      return false;
    }
    if (heap == null) {
      init(v);
    } else {
      if (cur >= v) {
        return true;
      }
      while (!heap.isEmpty() && heap.peek().at() < v) {
        Postings p = heap.poll();
        if (p.seek(v)) {
          heap.add(p);
        }
      }
    }
    if (heap.isEmpty()) {
      done = true;
      return false;
    }
    cur = heap.peek().at();
    return true;
  }

  @Override
  public long at() {
    return cur;
  }

  @Override
  public long cost() {
    long c = 0;
    for (Postings p : inputs) {
      c += p.cost();
    }
    return c;
  }
}
