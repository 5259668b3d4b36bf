package dev.kiln.tsdb.storage;

import java.util.List;

/**
 * Optional information about how selected data will be used, which a storage may use to read
 * less. A storage must return correct results whatever the hints say.
 *
 * @param startMillis earliest time the query needs
 * @param endMillis latest time the query needs
 * @param stepMillis query resolution step, 0 for instant queries
 * @param rangeMillis range of the enclosing range selector, 0 if none
 * @param function name of the function applied to the selection, or "" if none
 * @param grouping labels of an enclosing aggregation
 * @param by true for {@code by}, false for {@code without}
 */
public record SelectHints(
    long startMillis,
    long endMillis,
    long stepMillis,
    long rangeMillis,
    String function,
    List<String> grouping,
    boolean by) {

  /** Hints that say only the time range. */
  public static SelectHints range(long startMillis, long endMillis) {
    return new SelectHints(startMillis, endMillis, 0, 0, "", List.of(), false);
  }
}
