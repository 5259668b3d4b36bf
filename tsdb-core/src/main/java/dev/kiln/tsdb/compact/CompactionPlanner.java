package dev.kiln.tsdb.compact;

import dev.kiln.tsdb.block.BlockMeta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses which blocks to compact next, as Prometheus's {@code LeveledCompactor.Plan}
 * ({@code tsdb/compact.go}): overlapping blocks first; otherwise, leaving out the newest block,
 * the first group of blocks that fills an aligned range of the next level (or lies wholly before
 * the newest block); otherwise a large block with more than 5% tombstones on its own.
 * Immutable; thread-safe.
 */
public final class CompactionPlanner {
  private final long[] ranges;

  /** @param ranges block ranges in milliseconds, ascending; the first is the head's block range */
  public CompactionPlanner(long[] ranges) {
    this.ranges = ranges.clone();
  }

  /**
   * Prometheus's {@code ExponentialBlockRanges(min, 10, 3)} cut to {@code maxBlockMillis}: 2h,
   * 6h, 18h, 54h, 162h, 486h, ... no larger than the maximum (always at least the minimum).
   */
  public static long[] exponentialRanges(long minMillis, long maxBlockMillis) {
    List<Long> out = new ArrayList<>();
    long r = minMillis;
    for (int i = 0; i < 10; i++) {
      if (i > 0 && r > maxBlockMillis) {
        break;
      }
      out.add(r);
      r *= 3;
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  public long[] ranges() {
    return ranges.clone();
  }

  /** The metas to compact together (at least one), or an empty list when nothing is due. */
  public List<BlockMeta> plan(List<BlockMeta> metas) {
    List<BlockMeta> ds = new ArrayList<>(metas);
    ds.sort(Comparator.comparingLong(BlockMeta::minTime));
    List<BlockMeta> overlapping = overlapping(ds);
    if (!overlapping.isEmpty()) {
      return overlapping;
    }
    if (ds.isEmpty()) {
      return List.of();
    }
    ds = ds.subList(0, ds.size() - 1);
    List<BlockMeta> res = selectDirs(ds);
    if (!res.isEmpty()) {
      return res;
    }
    for (int i = ds.size() - 1; i >= 0; i--) {
      BlockMeta m = ds.get(i);
      if (m.maxTime() - m.minTime() < ranges[ranges.length / 2]) {
        break;
      }
      if ((double) m.numTombstones() / (m.numSeries() + 1) > 0.05) {
        return List.of(m);
      }
    }
    return List.of();
  }

  private static List<BlockMeta> overlapping(List<BlockMeta> ds) {
    List<BlockMeta> out = new ArrayList<>();
    if (ds.size() < 2) {
      return out;
    }
    long globalMaxt = ds.get(0).maxTime();
    for (int i = 1; i < ds.size(); i++) {
      BlockMeta d = ds.get(i);
      if (d.minTime() < globalMaxt) {
        if (out.isEmpty()) {
          out.add(ds.get(i - 1));
        }
        out.add(d);
      } else if (!out.isEmpty()) {
        break;
      }
      globalMaxt = Math.max(globalMaxt, d.maxTime());
    }
    return out;
  }

  private List<BlockMeta> selectDirs(List<BlockMeta> ds) {
    if (ranges.length < 2 || ds.isEmpty()) {
      return List.of();
    }
    long highTime = ds.get(ds.size() - 1).minTime();
    for (int r = 1; r < ranges.length; r++) {
      long iv = ranges[r];
      for (List<BlockMeta> p : splitByRange(ds, iv)) {
        long mint = p.get(0).minTime();
        long maxt = p.get(p.size() - 1).maxTime();
        if ((maxt - mint == iv || maxt <= highTime) && p.size() > 1) {
          return p;
        }
      }
    }
    return List.of();
  }

  static List<List<BlockMeta>> splitByRange(List<BlockMeta> ds, long tr) {
    List<List<BlockMeta>> out = new ArrayList<>();
    int i = 0;
    while (i < ds.size()) {
      BlockMeta m = ds.get(i);
      long t0 = m.minTime() >= 0 ? tr * (m.minTime() / tr) : tr * ((m.minTime() - tr + 1) / tr);
      if (m.maxTime() > t0 + tr) {
        i++;
        continue;
      }
      List<BlockMeta> group = new ArrayList<>();
      for (; i < ds.size(); i++) {
        if (ds.get(i).maxTime() > t0 + tr) {
          break;
        }
        group.add(ds.get(i));
      }
      if (!group.isEmpty()) {
        out.add(group);
      }
    }
    return out;
  }
}
