package dev.kiln.tsdb.storage;

import dev.kiln.tsdb.model.LabelMatcher;
import java.util.List;

/**
 * Reads the data of a fixed time range [mint, maxt] (both inclusive, milliseconds), as a
 * consistent view taken when the querier was created or later. Single-thread unless {@link
 * #concurrentSelect()} says otherwise; close it to release resources (mapped files, read locks).
 */
public interface Querier extends AutoCloseable {
  /**
   * Returns the series matching all matchers, with samples restricted to the querier's range.
   * At least one matcher must be given; a selection whose matchers all match the empty string is
   * rejected by the PromQL layer, not here.
   *
   * @param sorted when true, series come in {@link dev.kiln.tsdb.model.Labels} order
   * @param hints optional usage hints, may be {@code null}
   */
  SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers);

  /** Sorted, distinct label names of series that match all matchers (all series if none). */
  List<String> labelNames(LabelMatcher... matchers);

  /** Sorted, distinct values of a label among series that match all matchers. */
  List<String> labelValues(String name, LabelMatcher... matchers);

  /**
   * Whether {@link #select} may be called from several threads at once (each returned set, and
   * each of its series' iterators, is still read by one thread at a time). Each call then keeps
   * its own state, and a set's result is the one it would have alone. {@link #close()} must
   * still follow every other call. False unless an implementation says so.
   */
  default boolean concurrentSelect() {
    return false;
  }

  @Override
  void close();
}
