package dev.kiln.promql.engine;

/**
 * The evaluation steps of one evaluation: {@code start, start+interval, ..., <= end}
 * (milliseconds). An instant evaluation is a grid with one step. Immutable.
 */
record Grid(long start, long end, long interval) {
  Grid {
    if (interval <= 0) {
      throw new IllegalArgumentException("interval must be positive");
    }
  }

  static Grid instant(long t) {
    return new Grid(t, t, 1);
  }

  int steps() {
    return end < start ? 0 : (int) ((end - start) / interval) + 1;
  }

  long time(int step) {
    return start + step * interval;
  }

  boolean isInstant() {
    return start == end;
  }
}
