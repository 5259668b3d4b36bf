package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;

/** Reads stored exemplars. Thread-safe. */
@FunctionalInterface
public interface ExemplarQuerier {
  /**
   * The exemplars with timestamps in {@code [start, end]} (milliseconds, inclusive) of every series
   * matched by at least one of the matcher sets, ordered by series labels; each series' exemplars
   * oldest first. Series without exemplars in the range are left out.
   */
  List<SeriesExemplars> select(long start, long end, List<List<LabelMatcher>> matcherSets);

  /** A querier that knows no exemplars. */
  ExemplarQuerier NONE = (start, end, sets) -> List.of();
}
