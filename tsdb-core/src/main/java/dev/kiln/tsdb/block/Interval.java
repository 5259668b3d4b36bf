package dev.kiln.tsdb.block;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A deleted time range, both ends inclusive, milliseconds. Immutable. */
public record Interval(long minTime, long maxTime) {
  public boolean contains(long t) {
    return t >= minTime && t <= maxTime;
  }

  /** Sorted, merged union of the intervals (overlapping or adjacent ones joined). */
  public static List<Interval> union(List<Interval> in) {
    List<Interval> sorted = new ArrayList<>(in);
    sorted.sort(Comparator.comparingLong(Interval::minTime));
    List<Interval> out = new ArrayList<>();
    for (Interval iv : sorted) {
      if (!out.isEmpty()) {
        Interval last = out.get(out.size() - 1);
        if (iv.minTime <= last.maxTime + 1 || last.maxTime == Long.MAX_VALUE) {
          out.set(out.size() - 1, new Interval(last.minTime, Math.max(last.maxTime, iv.maxTime)));
          continue;
        }
      }
      out.add(iv);
    }
    return out;
  }

  /** True when any interval of the sorted list contains {@code t}. */
  public static boolean anyContains(List<Interval> sorted, long t) {
    for (Interval iv : sorted) {
      if (iv.minTime > t) {
        return false;
      }
      if (t <= iv.maxTime) {
        return true;
      }
    }
    return false;
  }
}
