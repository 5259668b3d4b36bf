package dev.kiln.server.memory;

import java.util.List;

/** Told when each query's evaluation starts and ends (the server's releases after queries listen to it). */
public interface QueryActivity {
  /** A query starts evaluating. */
  void started();

  /** A query that {@link #started()} is done with the storage. */
  void ended();

  /** Tells each of {@code all}, in order. */
  static QueryActivity all(List<? extends QueryActivity> all) {
    List<QueryActivity> copy = List.copyOf(all);
    return new QueryActivity() {
      @Override
      public void started() {
        copy.forEach(QueryActivity::started);
      }

      @Override
      public void ended() {
        copy.forEach(QueryActivity::ended);
      }
    };
  }
}
