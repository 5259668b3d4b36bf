package dev.kiln.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tsdb.model.LabelMatcher;
import dev.kiln.tsdb.storage.Querier;
import dev.kiln.tsdb.storage.Queryable;
import dev.kiln.tsdb.storage.SampleIterator;
import dev.kiln.tsdb.storage.SeriesSet;
import dev.kiln.tsdb.storage.ValueType;
import java.util.ArrayList;
import java.util.List;

/** Renders query results as text so that two storages can be compared in one assertion. */
public final class StorageAssertions {
  private StorageAssertions() {}

  /** Every series (sorted by labels) with its samples as {@code t=rawbits}. */
  public static String dump(Queryable q, long mint, long maxt, LabelMatcher... ms) {
    List<String> lines = new ArrayList<>();
    try (Querier querier = q.querier(mint, maxt)) {
      SeriesSet set = querier.select(true, null, ms);
      while (set.next()) {
        StringBuilder sb = new StringBuilder(set.at().labels().toString()).append(':');
        SampleIterator it = set.at().iterator(null);
        while (it.next() == ValueType.FLOAT) {
          sb.append(' ')
              .append(it.atT())
              .append('=')
              .append(Long.toHexString(Double.doubleToRawLongBits(it.atV())));
        }
        lines.add(sb.toString());
      }
    }
    lines.sort(null);
    return String.join("\n", lines);
  }

  /** Asserts both storages return the same series, label names and label values. */
  public static void assertSameView(
      Queryable expected, Queryable actual, long mint, long maxt, String msg, LabelMatcher... ms) {
    assertEquals(dump(expected, mint, maxt, ms), dump(actual, mint, maxt, ms), msg);
    try (Querier e = expected.querier(mint, maxt);
        Querier a = actual.querier(mint, maxt)) {
      assertEquals(e.labelNames(ms), a.labelNames(ms), msg + " labelNames");
      for (String name : e.labelNames()) {
        assertEquals(e.labelValues(name, ms), a.labelValues(name, ms), msg + " labelValues " + name);
      }
    }
  }
}
