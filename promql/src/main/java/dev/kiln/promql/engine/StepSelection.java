package dev.kiln.promql.engine;

import java.util.Arrays;
import java.util.List;

/**
 * The choice a selecting aggregation makes at one step: which input series each group keeps, in
 * output order. The input series are offered one by one, in input order, to {@link #offer}; each
 * operator ({@link RankingSelection}, {@link FirstKSelection}, {@link RatioSelection}) decides.
 * Series are named by their index in the input list. Single-thread; reused across steps.
 */
abstract class StepSelection {
  final List<StepSeries> in;
  private final int[][] kept;
  private final int[] count;

  StepSelection(List<StepSeries> in, int groups) {
    this.in = in;
    this.kept = new int[groups][];
    this.count = new int[groups];
  }

  /**
   * Starts a step with the operator's parameter at that step; returns false when the step keeps
   * nothing (then no series is offered).
   */
  abstract boolean begin(int step, double param);

  /** Whether series {@code s} takes part at the current step: it has a float or histogram point. */
  boolean accepts(StepSeries s, int step) {
    return Points.isPresent(s.values[step]) || s.hist(step) != null;
  }

  /**
   * Offers input series {@code si}, a member of group {@code group}; returns true when no later
   * series can change the step's choice.
   */
  abstract boolean offer(int group, int si);

  /** Puts each group's kept series into output order once all have been offered. */
  void finish() {}

  /** Forgets the previous step's choice. */
  final void clear() {
    Arrays.fill(count, 0);
  }

  final int groups() {
    return count.length;
  }

  /** How many series group {@code group} keeps at the current step. */
  final int count(int group) {
    return count[group];
  }

  /** The kept series of a group (the first {@link #count} entries are valid). */
  final int[] kept(int group) {
    return kept[group];
  }

  /** The group's kept series, with room for at least {@code capacity} (at least 1). */
  final int[] slots(int group, int capacity) {
    int want = Math.max(1, capacity);
    if (kept[group] == null || kept[group].length < want) {
      kept[group] = new int[want];
    }
    return kept[group];
  }

  /** Appends series {@code si} to the group's kept series (room must have been made by {@link #slots}). */
  final int append(int group, int si) {
    int n = count[group]++;
    kept[group][n] = si;
    return n;
  }
}
