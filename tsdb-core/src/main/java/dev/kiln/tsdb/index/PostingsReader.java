package dev.kiln.tsdb.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Read access to an inverted label index, as {@link PostingsForMatchers} needs it. Implemented by
 * the head's {@link MemPostings} and by persistent block indexes. Implementations define their
 * own thread-safety; a reader is used by one thread for one evaluation.
 */
public interface PostingsReader {
  /** Distinct values of the label, in any order. */
  Collection<String> labelValues(String name);

  /** Union of the postings of {@code name=v} for each given value; absent values are skipped. */
  Postings postings(String name, Collection<String> values);

  /** Every series in the index. */
  Postings allPostings();

  /** Union of the postings of every value of the label: the series that have it. */
  default Postings postingsForLabel(String name) {
    return postings(name, labelValues(name));
  }

  /** Values of the label starting with {@code prefix}. */
  default List<String> labelValuesWithPrefix(String name, String prefix) {
    List<String> out = new ArrayList<>();
    for (String v : labelValues(name)) {
      if (v.startsWith(prefix)) {
        out.add(v);
      }
    }
    return out;
  }
}
