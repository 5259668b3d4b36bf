package dev.kiln.tsdb.compact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.block.BlockMeta;
import dev.kiln.tsdb.block.Ulid;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Planning cases from Prometheus's {@code TestLeveledCompactor_plan}, with ranges 20, 60, 180, 540, 1620. */
class CompactionPlannerTest {
  private final CompactionPlanner planner = new CompactionPlanner(new long[] {20, 60, 180, 540, 1620});

  private static BlockMeta meta(long mint, long maxt) {
    return meta(mint, maxt, 0, 0);
  }

  private static BlockMeta meta(long mint, long maxt, long series, long tombstones) {
    return new BlockMeta(Ulid.generate(mint + 1000), mint, maxt, 1, series, 1, tombstones, 1, List.of(), List.of(), false);
  }

  private static List<Long> mints(List<BlockMeta> plan) {
    List<Long> out = new ArrayList<>();
    for (BlockMeta m : plan) {
      out.add(m.minTime());
    }
    return out;
  }

  @Test
  void rangesGrowByThreeUpToTheMaximum() {
    long h = 3_600_000L;
    assertArrayEquals(new long[] {2 * h, 6 * h, 18 * h}, CompactionPlanner.exponentialRanges(2 * h, 36 * h));
    assertArrayEquals(new long[] {2 * h}, CompactionPlanner.exponentialRanges(2 * h, h));
  }

  @Test
  void plansLikePrometheus() {
    assertEquals(List.of(), planner.plan(List.of()));
    assertEquals(List.of(), planner.plan(List.of(meta(0, 20))));
    // The newest block is left out; two blocks do not fill the 60 range.
    assertEquals(List.of(), planner.plan(List.of(meta(0, 20), meta(20, 40))));
    assertEquals(List.of(0L, 20L, 40L), mints(planner.plan(List.of(meta(0, 20), meta(20, 40), meta(40, 60), meta(60, 80)))));
    // Only the three blocks in [0, 60): the next group is not complete.
    assertEquals(List.of(0L, 20L, 40L), mints(planner.plan(List.of(
        meta(0, 20), meta(20, 40), meta(40, 60), meta(60, 80), meta(80, 100)))));
    // A gap: the group before the newest block is compacted even when not full.
    assertEquals(List.of(0L, 20L), mints(planner.plan(List.of(meta(0, 20), meta(20, 40), meta(60, 80), meta(80, 100)))));
    // Next level.
    assertEquals(List.of(0L, 60L, 120L), mints(planner.plan(List.of(
        meta(0, 60), meta(60, 120), meta(120, 180), meta(180, 200)))));
    // Overlapping blocks go first.
    assertEquals(List.of(0L, 10L), mints(planner.plan(List.of(meta(0, 20), meta(10, 30), meta(40, 60)))));
  }

  @Test
  void bigBlockWithManyTombstonesIsRewritten() {
    List<BlockMeta> plan = planner.plan(List.of(meta(0, 540, 100, 10), meta(540, 560)));
    assertEquals(List.of(0L), mints(plan));
    assertEquals(List.of(), planner.plan(List.of(meta(0, 540, 100, 1), meta(540, 560))));
  }
}
